/** Usage over time: filled in once the history read endpoint exists. */
export function UsageChart() {
  return null;
}
