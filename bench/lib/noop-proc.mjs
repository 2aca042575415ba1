// Bench processor: counts entries and does nothing else (the job-throughput ceiling of one Redis).
export function process(events) {
  return { n: events.length };
}
