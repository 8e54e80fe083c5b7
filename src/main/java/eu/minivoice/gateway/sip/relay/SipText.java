package eu.minivoice.gateway.sip.relay;

import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.Header;
import javax.sip.header.RequireHeader;
import javax.sip.message.Request;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;

/** Reading values out of SIP messages, the same way everywhere in the relay. */
final class SipText {
    private SipText() {
    }

    /** An extension header's value (trimmed), or null. */
    static String header(Request r, String name) {
        Header h = r.getHeader(name);
        if (h == null) {
            return null;
        }
        String s = h.toString();
        return s.substring(s.indexOf(':') + 1).trim();
    }

    /** The user part of a SIP URI, %-decoded ('+' kept); null for other URIs. */
    static String user(URI uri) {
        if (uri instanceof SipURI s) {
            String u = s.getUser();
            return u == null ? null : URLDecoder.decode(u.replace("+", "%2B"), StandardCharsets.UTF_8);
        }
        return null;
    }

    /** The option tags of the request's Require headers. */
    static List<String> requiredOptions(Request r) {
        List<String> out = new ArrayList<>();
        for (ListIterator<?> it = r.getHeaders(RequireHeader.NAME); it.hasNext(); ) {
            out.add(((RequireHeader) it.next()).getOptionTag());
        }
        return out;
    }

    /** A platform URI's transport: its transport parameter, else UDP. */
    static String transport(javax.sip.address.SipURI uri) {
        return uri.getTransportParam() == null ? "udp" : uri.getTransportParam();
    }

    /** A platform URI's port: as given, else the transport's default (5061 for TLS, 5060). */
    static int port(javax.sip.address.SipURI uri) {
        return uri.getPort() > 0 ? uri.getPort()
                : uri.isSecure() || transport(uri).equalsIgnoreCase("tls") ? 5061 : 5060;
    }
}
