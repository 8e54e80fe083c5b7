package eu.minivoice.gateway.sip.logging;

import gov.nist.core.ServerLogger;
import gov.nist.javax.sip.message.SIPMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sip.SipStack;
import java.util.Properties;

/**
 * The SIP message trace: when the stack property {@value #TRACE_PROPERTY} is true (config
 * {@code sip.trace}), every message in and out is logged at INFO by logger
 * {@code eu.minivoice.gateway.sip.trace}, with direction, addresses and the full message.
 * Instantiated by JAIN-SIP (property gov.nist.javax.sip.SERVER_LOGGER), one per stack.
 */
public final class Slf4jServerLogger implements ServerLogger {
    /** Our own stack property (JAIN-SIP ignores properties it does not know). */
    public static final String TRACE_PROPERTY = "eu.minivoice.gateway.sip.TRACE";
    private static final Logger trace = LoggerFactory.getLogger("eu.minivoice.gateway.sip.trace");

    private volatile boolean enabled;
    private volatile String stackName = "?";

    @Override
    public void setStackProperties(Properties stackProperties) {
        enabled = Boolean.parseBoolean(stackProperties.getProperty(TRACE_PROPERTY, "false"));
    }

    @Override
    public void setSipStack(SipStack sipStack) {
        stackName = sipStack.getStackName();
    }

    @Override
    public void logMessage(SIPMessage message, String from, String to, boolean sender, long time) {
        log(message, from, to, null, sender);
    }

    @Override
    public void logMessage(SIPMessage message, String from, String to, String status, boolean sender, long time) {
        log(message, from, to, status, sender);
    }

    @Override
    public void logMessage(SIPMessage message, String from, String to, String status, boolean sender) {
        log(message, from, to, status, sender);
    }

    private void log(SIPMessage message, String from, String to, String status, boolean sender) {
        if (enabled && trace.isInfoEnabled()) {
            trace.info("[{}] {} {} -> {}{}\n{}", stackName, sender ? "SENT" : "RECEIVED", from, to,
                    status == null ? "" : " (" + status + ")", masked(message.encode()));
        }
    }

    private static final java.util.regex.Pattern DIGEST_RESPONSE =
            java.util.regex.Pattern.compile("(?im)^((?:Proxy-)?Authorization:.*?\\bresponse\\s*=\\s*)(\"[^\"]*\"|[^,\\s]+)");

    /**
     * The Digest {@code response} of an Authorization or Proxy-Authorization header, masked: with
     * the nonce beside it, it is enough for an offline guess of a weak trunk password.
     */
    static String masked(String message) {
        return DIGEST_RESPONSE.matcher(message).replaceAll("$1\"***\"");
    }

    @Override
    public void logException(Exception ex) {
        trace.warn("[{}] SIP message exception: {}", stackName, ex.toString());
    }

    @Override
    public void closeLogFile() {
        // nothing to close: logback owns the output
    }
}
