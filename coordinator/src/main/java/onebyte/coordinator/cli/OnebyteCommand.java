package onebyte.coordinator.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code onebyte} command. Subcommands are registered in {@link #SUBCOMMANDS}: add a class
 * annotated with {@code @Command(name = ...)} there to add one.
 */
@Command(name = "onebyte", mixinStandardHelpOptions = true, version = "onebyte " + OnebyteCommand.VERSION,
        description = "One-byte shared-randomness SPSA on an Akka cluster.")
public final class OnebyteCommand implements Runnable {
    /** This onebyte's version; a run directory is resumed by the version that wrote it. */
    public static final String VERSION = "0.1.0";

    /** Every subcommand, in help order. */
    public static final List<Class<?>> SUBCOMMANDS = List.of(RunCommand.class, CompareCommand.class, SweepCommand.class, ValidateCommand.class, ResumeCommand.class, ReportCommand.class, PretrainCommand.class,
            EmbeddedCommand.class, CoordinatorCommand.class, NodeCommand.class, CertsCommand.class, LinksCommand.class, BenchCommand.class);

    /** The commands that stop cleanly on SIGINT / SIGTERM (see RunInterrupt); {@code node} keeps the JVM's own handling. */
    static final java.util.Set<String> INTERRUPTIBLE = java.util.Set.of("run", "compare", "sweep", "coordinator", "resume");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new OnebyteCommand()).setExecutionExceptionHandler(new BadInputHandler());
        for (Class<?> c : SUBCOMMANDS) {
            cl.addSubcommand(c);
        }
        return cl;
    }

    /**
     * ND4J native threads per process (env ONEBYTE_ND4J_THREADS, default 1): the simulator's
     * parallelism is its nodes, and small models slow down badly when every node's ops also fan
     * out over OpenMP threads on a loaded machine (measured in BENCHMARKS.md "Models").
     */
    static int nd4jThreads() {
        String v = System.getenv("ONEBYTE_ND4J_THREADS");
        try {
            return v == null || v.isBlank() ? 1 : Math.max(1, Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
            System.err.println("onebyte: ONEBYTE_ND4J_THREADS must be a whole number, got '" + v + "'; using 1");
            return 1;
        }
    }

    public static void main(String[] args) {
        if (args.length > 0 && !java.util.Set.of("report", "links", "certs", "-h", "--help", "-V", "--version").contains(args[0])) {
            onebyte.core.model.Models.limitNativeThreads(nd4jThreads()); // loads ND4J: only for commands that compute
        }
        if (args.length > 0 && INTERRUPTIBLE.contains(args[0])) {
            onebyte.coordinator.cluster.RunInterrupt.install(); // a process's signals: here, not in the commands run in tests
        }
        System.exit(commandLine().execute(args));
    }
}
