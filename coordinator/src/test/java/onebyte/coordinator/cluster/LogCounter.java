package onebyte.coordinator.cluster;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;

/** Counts the WARN and ERROR log events of this JVM while attached to the root logger, and those that contain a text. */
final class LogCounter extends AppenderBase<ILoggingEvent> {
    final AtomicLong warnOrError = new AtomicLong();
    final AtomicLong containing = new AtomicLong();
    private final String text;

    LogCounter(String text) {
        this.text = text;
    }

    /** Attaches a started counter to the root logger. */
    static LogCounter attach(String text) {
        LogCounter c = new LogCounter(text);
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        c.setContext(root.getLoggerContext());
        c.start();
        root.addAppender(c);
        return c;
    }

    void detach() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(this);
        stop();
    }

    @Override
    protected void append(ILoggingEvent e) {
        if (e.getLevel().isGreaterOrEqual(Level.WARN)) {
            warnOrError.incrementAndGet();
            if (e.getFormattedMessage().contains(text)) {
                containing.incrementAndGet();
            }
        }
    }
}
