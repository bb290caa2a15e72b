// Preloaded into the profiled fleet process by bench/scale/run.ts (node --import): at exit, writes
// how long its threads ran on a CPU and how long they waited for one (/proc/self/task/*/schedstat,
// nanoseconds) to $FLEET_BENCH_SCHEDSTAT as JSON. A wall-clock profiler samples a thread that
// waits for a CPU too; this says how much of the profile that is.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";

const file = process.env.FLEET_BENCH_SCHEDSTAT;
if (file) {
  process.on("exit", () => {
    const figures = { mainOnCpuS: 0, mainWaitS: 0, allOnCpuS: 0, allWaitS: 0, threads: 0 };
    for (const task of readdirSync("/proc/self/task")) {
      try {
        const [onCpu = 0, wait = 0] = readFileSync(`/proc/self/task/${task}/schedstat`, "utf8").split(" ").map(Number);
        if (task === String(process.pid)) {
          figures.mainOnCpuS = onCpu / 1e9;
          figures.mainWaitS = wait / 1e9;
        }
        figures.allOnCpuS += onCpu / 1e9;
        figures.allWaitS += wait / 1e9;
        figures.threads += 1;
      } catch {
        // a thread that ended meanwhile
      }
    }
    writeFileSync(file, JSON.stringify(figures));
  });
}
