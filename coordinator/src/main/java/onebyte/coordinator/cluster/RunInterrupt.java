package onebyte.coordinator.cluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * A clean stop of a run on Ctrl-C (SIGINT) or SIGTERM. {@link #install} replaces the JVM's own
 * handlers of both signals (which would start the JVM's shutdown, and with it every ActorSystem's
 * coordinated shutdown: the nodes would go first and the last round would close with every node
 * "crashed"). The first signal only asks the run to stop: each coordinator finishes the round in
 * progress (or drops a round that had not opened yet), writes its row and ends the run with
 * {@link onebyte.coordinator.clock.RunBudget.Stop#INTERRUPTED}; the command then writes the
 * summary, the plots and the report and exits with {@link #exitCode()}: 130 after SIGINT, 143 after
 * SIGTERM (128 + the signal's number, as shells report it). A second signal stops the process at
 * once with the same code (the rows written so far are already flushed).
 *
 * <p>{@code OnebyteCommand.main} installs it for the commands that run a cluster in this JVM (run,
 * compare, sweep, coordinator, resume; not when a test calls the commands in its own JVM);
 * {@code onebyte node} keeps the JVM's handlers, so a node's SIGTERM stays a graceful
 * leave (coordinated shutdown).
 */
public final class RunInterrupt {
    private static final Logger LOG = LoggerFactory.getLogger(RunInterrupt.class);

    /** Exit code after SIGINT (Ctrl-C). */
    public static final int EXIT_SIGINT = 130;
    /** Exit code after SIGTERM. */
    public static final int EXIT_SIGTERM = 143;

    private static volatile String signal;
    private static boolean installed;

    private RunInterrupt() {}

    /** Handles SIGINT and SIGTERM from now on (idempotent). */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(name), s -> received("SIG" + s.getName()));
        }
    }

    private static void received(String name) {
        if (signal != null) {
            System.err.println("onebyte: " + name + " again: stopping at once; metrics.csv holds every completed round");
            System.err.flush();
            Runtime.getRuntime().halt(exitCode());
        }
        request(name);
        System.err.println("onebyte: " + name + ": finishing the round in progress, then writing the summary and report"
                + " (" + name + " again stops at once)");
        System.err.flush();
    }

    /** Asks the run in progress to stop after its current round, as a signal {@code name} ("SIGINT", "SIGTERM") would. */
    public static void request(String name) {
        if (signal == null) {
            signal = name;
            LOG.warn("interrupt: {} received; the run stops after the round in progress", name);
        }
    }

    /** Whether a stop was asked for. */
    public static boolean requested() {
        return signal != null;
    }

    /** The signal that asked to stop ("SIGINT", "SIGTERM"), or null. */
    public static String signal() {
        return signal;
    }

    /** The exit code of an interrupted command: 130 after SIGINT, 143 after SIGTERM. */
    public static int exitCode() {
        return "SIGINT".equals(signal) ? EXIT_SIGINT : EXIT_SIGTERM;
    }

    /** Forgets a request (tests that interrupt one run and then start another in the same JVM). */
    public static void clear() {
        signal = null;
    }
}
