export async function benchPoolSizes(adminUrl: string, sizes: number[]) {
  void adminUrl;
  void sizes;
}
