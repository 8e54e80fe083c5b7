package eu.minivoice.gateway.support;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports free for both TCP and UDP on loopback, so parallel runs never collide. Chosen below the
 * kernel's ephemeral range (32768+ on Linux): a port handed out here and bound a moment later by
 * SIPp cannot meanwhile be taken as the local port of some outgoing connection (the gateway's
 * webhook or TCP SIP connections), which happened with OS-assigned ports. Never the same port twice
 * in one test JVM.
 */
public final class FreePorts {
    private static final int LOW = 20_000;
    private static final int HIGH = 32_000;
    private static final Set<Integer> handedOut = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    public static int next() {
        for (int attempt = 0; attempt < 500; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOW, HIGH);
            if (free(port) && handedOut.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free TCP+UDP port found in " + LOW + "-" + HIGH);
    }

    /** A SIPp media port: SIPp binds it and the port two above (RTP and RTCP-ish), both checked. */
    public static int nextMediaPort() {
        for (int attempt = 0; attempt < 500; attempt++) {
            int port = next();
            if (free(port + 2) && handedOut.add(port + 2)) {
                return port;
            }
        }
        throw new IllegalStateException("no free media port pair found");
    }

    private static boolean free(int port) {
        InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        try (ServerSocket tcp = new ServerSocket()) {
            tcp.setReuseAddress(false);
            tcp.bind(at);
            try (DatagramSocket udp = new DatagramSocket(at)) {
                return true;
            }
        } catch (IOException busy) {
            return false;
        }
    }
}
