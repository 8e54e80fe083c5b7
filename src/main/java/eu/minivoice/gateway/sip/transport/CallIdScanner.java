package eu.minivoice.gateway.sip.transport;

/**
 * Finds a datagram's Call-ID without parsing the message (it runs on the receive thread, once
 * per datagram): the value of the first {@code Call-ID:} or compact {@code i:} header, trimmed,
 * before the empty line that ends the headers.
 */
final class CallIdScanner {
    private CallIdScanner() {
    }

    /** A hash of the Call-ID's value, or 0 when there is none (the stack will refuse the message). */
    static int hash(byte[] buf, int length) {
        int i = 0;
        // Skip the start line.
        while (i < length && buf[i] != '\n') {
            i++;
        }
        i++;
        while (i < length) {
            if (buf[i] == '\r' || buf[i] == '\n') {
                return 0; // end of the headers
            }
            int nameEnd = i;
            while (nameEnd < length && buf[nameEnd] != ':' && buf[nameEnd] != '\n') {
                nameEnd++;
            }
            if (nameEnd < length && buf[nameEnd] == ':' && isCallId(buf, i, trimEnd(buf, i, nameEnd))) {
                int v = nameEnd + 1;
                while (v < length && (buf[v] == ' ' || buf[v] == '\t')) {
                    v++;
                }
                int end = v;
                while (end < length && buf[end] != '\r' && buf[end] != '\n') {
                    end++;
                }
                end = trimEnd(buf, v, end);
                int h = 1;
                for (int k = v; k < end; k++) {
                    h = 31 * h + buf[k];
                }
                return h;
            }
            while (i < length && buf[i] != '\n') {
                i++;
            }
            i++;
        }
        return 0;
    }

    /** The same hash as {@link #hash(byte[], int)} gives for a message with this Call-ID (ASCII). */
    static int hash(String callId) {
        int h = 1;
        for (int k = 0; k < callId.length(); k++) {
            h = 31 * h + (byte) callId.charAt(k);
        }
        return h;
    }

    private static int trimEnd(byte[] buf, int from, int end) {
        while (end > from && (buf[end - 1] == ' ' || buf[end - 1] == '\t')) {
            end--;
        }
        return end;
    }

    private static boolean isCallId(byte[] buf, int from, int to) {
        int n = to - from;
        if (n == 1) {
            return (buf[from] | 0x20) == 'i';
        }
        if (n != 7) {
            return false;
        }
        String want = "call-id";
        for (int k = 0; k < 7; k++) {
            if ((buf[from + k] | 0x20) != want.charAt(k)) {
                return false;
            }
        }
        return true;
    }
}
