package eu.minivoice.gateway.sip.logging;

import gov.nist.core.StackLogger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Properties;

/**
 * Routes JAIN-SIP's internal logging to SLF4J (logger {@code gov.nist.javax.sip}), replacing the
 * stack's log4j 1.x default so log4j never needs to be on the classpath. JAIN-SIP instantiates this
 * class by name (property gov.nist.javax.sip.STACK_LOGGER) through a no-argument constructor.
 *
 * <p>JAIN-SIP asks {@code isLoggingEnabled(TRACE_MESSAGES)} before it hands a message to the
 * {@link Slf4jServerLogger}, and TRACE_MESSAGES is the INFO level, so the SIP trace switch must
 * open that gate too. JAIN-SIP keeps its stack logger in a static field (the last stack created
 * wins), so with several stacks in one JVM the gate follows the newest stack's trace setting;
 * the per-stack {@link Slf4jServerLogger} still decides what is printed.
 */
public final class Slf4jStackLogger implements StackLogger {
    private static final Logger log = LoggerFactory.getLogger("gov.nist.javax.sip");
    /** Malformed input is normal input: one WARN line per window at most, the rest counted. */
    private static final long MALFORMED_WINDOW_NANOS = 10_000_000_000L;
    private final LogThrottle malformedThrottle = new LogThrottle(MALFORMED_WINDOW_NANOS);
    private volatile boolean messageTrace;
    private volatile boolean enabled = true;

    @Override
    public void setStackProperties(Properties stackProperties) {
        messageTrace = Boolean.parseBoolean(stackProperties.getProperty(Slf4jServerLogger.TRACE_PROPERTY, "false"));
    }

    @Override
    public boolean isLoggingEnabled() {
        return enabled && log.isErrorEnabled();
    }

    @Override
    public boolean isLoggingEnabled(int level) {
        if (!enabled) {
            return false;
        }
        return switch (level) {
            case TRACE_NONE -> false;
            case TRACE_FATAL, TRACE_ERROR -> log.isErrorEnabled();
            case TRACE_WARN -> log.isWarnEnabled();
            case TRACE_INFO -> messageTrace || log.isInfoEnabled();
            case TRACE_DEBUG -> log.isDebugEnabled();
            case TRACE_TRACE -> log.isTraceEnabled();
            default -> log.isDebugEnabled();
        };
    }

    @Override
    public void logStackTrace() {
        logStackTrace(TRACE_DEBUG);
    }

    @Override
    public void logStackTrace(int traceLevel) {
        if (isLoggingEnabled(traceLevel)) {
            log.debug("JAIN-SIP stack trace", new Exception("stack trace"));
        }
    }

    @Override
    public int getLineCount() {
        return 0;
    }

    @Override
    public void logException(Throwable ex) {
        log.warn("JAIN-SIP exception: {}", ex.toString(), ex);
    }

    @Override
    public void logDebug(String message) {
        log.debug(message);
    }

    @Override
    public void logDebug(String message, Exception ex) {
        log.debug(message, ex);
    }

    @Override
    public void logTrace(String message) {
        log.trace(message);
    }

    @Override
    public void logFatalError(String message) {
        log.error(message);
    }

    @Override
    public void logError(String message) {
        if (isAboutMalformedInput(message)) {
            malformed(message);
        } else {
            log.error(message);
        }
    }

    /** The stack reports each unparseable datagram or stream as an error; a scanner must not flood the log. */
    private static boolean isAboutMalformedInput(String message) {
        return message != null && (message.startsWith("bad message") || message.startsWith(">>> Dropped Bad Msg")
                || message.startsWith("Error while processing incoming"));
    }

    private void malformed(String message) {
        log.debug(message);
        long more = malformedThrottle.occurred();
        if (more >= 0) {
            String first = message.length() > 160 ? message.substring(0, 160) + "…" : message;
            log.warn("malformed SIP input dropped: {}{}", first.replace('\r', ' ').replace('\n', ' '),
                    more > 0 ? " (and " + more + " more since the last report)" : "");
        }
    }

    @Override
    public void logError(String message, Exception ex) {
        if (isAboutMalformedInput(message)) {
            malformed(message + ": " + ex);
        } else {
            log.error(message, ex);
        }
    }

    @Override
    public void logWarning(String message) {
        // No TLS listening point is opened yet, so "TLS ... settings will be inactive" is expected
        // at every start; an operator should not learn to ignore warnings.
        if (message != null && message.startsWith("TLS ") && message.contains("will be inactive")) {
            log.debug(message);
        } else {
            log.warn(message);
        }
    }

    @Override
    public void logInfo(String message) {
        log.info(message);
    }

    @Override
    public void disableLogging() {
        enabled = false;
    }

    @Override
    public void enableLogging() {
        enabled = true;
    }

    @Override
    public void setBuildTimeStamp(String buildTimeStamp) {
        log.debug("JAIN-SIP build {}", buildTimeStamp);
    }

    @Override
    public String getLoggerName() {
        return log.getName();
    }
}
