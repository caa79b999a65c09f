export async function benchAllocation(adminUrl: string) {
  void adminUrl;
}
