package onebyte.coordinator.console;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * What reaches the console while a run directory is open: by default only warnings and errors
 * (Akka's, the cluster's and onebyte's INFO lines go to the run's run.log), everything with
 * {@code --verbose}. Outside a run directory the console logs as logback.xml says.
 */
public final class ConsoleLog {
    private static volatile boolean verbose;

    private ConsoleLog() {}

    public static void verbose(boolean v) {
        verbose = v;
    }

    /** True when stdout is a terminal (Java: a console on both stdin and stdout). */
    public static boolean onTerminal() {
        return System.console() != null;
    }

    /**
     * Raises Akka's loggers to INFO (for run.log) and, unless verbose, holds the console at WARN
     * until the returned handle is closed.
     */
    public static AutoCloseable duringRun() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return () -> {};
        }
        Logger akka = ctx.getLogger("akka");
        Level akkaLevel = akka.getLevel();
        akka.setLevel(Level.INFO);
        List<Appender<ILoggingEvent>> consoles = new ArrayList<>();
        ctx.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().forEachRemaining(a -> {
            if (a instanceof ConsoleAppender<ILoggingEvent>) consoles.add(a);
        });
        ThresholdFilter warn = new ThresholdFilter();
        warn.setLevel(Level.WARN.levelStr);
        warn.start();
        boolean quiet = !verbose;
        if (quiet) {
            consoles.forEach(c -> c.addFilter(warn));
        }
        return () -> {
            akka.setLevel(akkaLevel);
            if (quiet) {
                for (Appender<ILoggingEvent> c : consoles) {
                    var others = c.getCopyOfAttachedFiltersList();
                    others.remove(warn);
                    c.clearAllFilters();
                    others.forEach(c::addFilter);
                }
            }
        };
    }
}
