package eu.minivoice.gateway.sip.transport;

import java.util.Locale;
import java.util.Set;

/**
 * The 400 for a request the parser refused, built from its raw text: the headers a client needs
 * to match the answer (Via, From, To with a tag, Call-ID, CSeq) copied as they came, no body. The
 * stack's own version (MessageChannel.createBadReqRes) puts an empty line inside its headers, which
 * on a stream would be read as the end of the message and misalign every message after it.
 */
final class BadRequestAnswer {
    private static final Set<String> COPIED = Set.of("via", "v", "from", "f", "to", "t", "call-id", "i", "cseq");

    private BadRequestAnswer() {
    }

    /** The answer, or null when the request lacks what a client needs to match it (nothing to send). */
    static String of(String request) {
        StringBuilder out = new StringBuilder("SIP/2.0 400 Bad Request\r\n");
        boolean via = false;
        boolean callId = false;
        boolean cseq = false;
        String[] lines = request.split("\r?\n", -1);
        for (int i = 1; i < lines.length && !lines[i].isEmpty(); i++) {
            String line = lines[i];
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            if (!COPIED.contains(name)) {
                continue;
            }
            via |= name.equals("via") || name.equals("v");
            callId |= name.equals("call-id") || name.equals("i");
            cseq |= name.equals("cseq");
            boolean to = name.equals("to") || name.equals("t");
            out.append(line);
            if (to && !line.toLowerCase(Locale.ROOT).contains(";tag=")) {
                out.append(";tag=badreq");
            }
            out.append("\r\n");
        }
        if (!via || !callId || !cseq) {
            return null;
        }
        return out.append("Content-Length: 0\r\n\r\n").toString();
    }
}
