package onebyte.coordinator.bench.micro;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link PerturbationGenBench}, {@link GaussianCallsBench} and {@link FusedUpdateBench} with short settings (1 fork,
 * 2 × 1 s warm-up, 3 × 1 s measurement) and prints a Markdown table with, for every fused
 * update, its ratio to the generation-bound limit n·d / (single-stream generation rate of the
 * same distribution), and the one-thread Gaussian draw's time relative to one
 * {@code nextGaussian} call per element. Arguments (optional): warmup iterations, measurement iterations, seconds each.
 */
public final class SpsaEngineBench {
    private SpsaEngineBench() {}

    public static void main(String[] args) throws Exception {
        int warm = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int meas = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int secs = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        Options opts = new OptionsBuilder()
                .include(PerturbationGenBench.class.getName())
                .include(GaussianCallsBench.class.getName())
                .include(FusedUpdateBench.class.getName())
                .forks(1)
                .warmupIterations(warm)
                .warmupTime(TimeValue.seconds(secs))
                .measurementIterations(meas)
                .measurementTime(TimeValue.seconds(secs))
                .jvmArgsAppend("-Xmx1g")
                .build();
        String loadBefore = loadAverage();
        Collection<RunResult> results = new Runner(opts).run();

        Map<String, double[]> gen = new HashMap<>(); // dist/threads -> {score, error}
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "%nMachine: %d processors, %s, %s %s; load average before %s, after %s%n",
                Runtime.getRuntime().availableProcessors(), cpuModel(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"), loadBefore, loadAverage()));
        md.append("\n### Generation rate (d = 2^20 per fill)\n\n| distribution | threads | elements/s | ± (99.9%) |\n|---|---|---|---|\n");
        for (RunResult r : results) {
            if (r.getParams().getBenchmark().endsWith("PerturbationGenBench.fill")) {
                String dist = r.getParams().getParam("dist");
                String threads = r.getParams().getParam("threads");
                double s = r.getPrimaryResult().getScore();
                double e = r.getPrimaryResult().getScoreError();
                gen.put(dist + "/" + threads, new double[] {s, e});
                md.append(String.format(Locale.ROOT, "| %s | %s | %.3g | %.2g |%n", dist.toLowerCase(Locale.ROOT), threads, s, e));
            }
        }
        for (RunResult r : results) {
            if (r.getParams().getBenchmark().endsWith("GaussianCallsBench.nextGaussianCalls")) {
                double s = r.getPrimaryResult().getScore();
                double[] stream = gen.get("GAUSSIAN/1");
                md.append(String.format(Locale.ROOT, "| gaussian, one nextGaussian call per element (the definition) | 1 | %.3g | %.2g |%n",
                        s, r.getPrimaryResult().getScoreError()));
                md.append(String.format(Locale.ROOT, "%nGaussian draw on one thread / nextGaussian calls, same bits: time ratio %.2f%n",
                        stream == null ? Double.NaN : s / stream[0]));
            }
        }
        md.append("\n### Fused update (d = 2^20, log8 codes)\n\n"
                + "| distribution | n | threads | ms/round | ± (99.9%) | generation-bound limit ms | ratio |\n|---|---|---|---|---|---|---|\n");
        for (RunResult r : results) {
            if (r.getParams().getBenchmark().endsWith("FusedUpdateBench.fused")) {
                String dist = r.getParams().getParam("dist");
                int n = Integer.parseInt(r.getParams().getParam("n"));
                String threads = r.getParams().getParam("threads");
                double ms = r.getPrimaryResult().getScore();
                double err = r.getPrimaryResult().getScoreError();
                double[] single = gen.get(dist + "/1");
                double limitMs = single == null ? Double.NaN : 1e3 * n * (double) FusedUpdateBench.D / single[0];
                md.append(String.format(Locale.ROOT, "| %s | %d | %s | %.3f | %.2g | %.3f | %.2f |%n",
                        dist.toLowerCase(Locale.ROOT), n, threads, ms, err, limitMs, limitMs / ms));
            }
        }
        System.out.println(md);
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "n/a";
        }
    }

    private static String cpuModel() {
        try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown CPU");
        } catch (Exception e) {
            return "unknown CPU";
        }
    }
}
