package onebyte.coordinator.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code onebyte} command. Subcommands are registered in {@link #SUBCOMMANDS}: add a class
 * annotated with {@code @Command(name = ...)} there to add one.
 */
@Command(name = "onebyte", mixinStandardHelpOptions = true, version = "onebyte 0.1.0",
        description = "One-byte shared-randomness SPSA on an Akka cluster.")
public final class OnebyteCommand implements Runnable {
    /** Every subcommand, in help order. */
    public static final List<Class<?>> SUBCOMMANDS = List.of(RunCommand.class, CompareCommand.class, ReportCommand.class, PretrainCommand.class,
            EmbeddedCommand.class, CoordinatorCommand.class, NodeCommand.class, BenchCommand.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new OnebyteCommand());
        for (Class<?> c : SUBCOMMANDS) {
            cl.addSubcommand(c);
        }
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
