package eu.minivoice.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The gateway's version, as the build wrote it into version.properties. */
public final class Version {
    private Version() {
    }

    /** e.g. "0.1.0-SNAPSHOT"; "unknown" when run from sources the build did not filter. */
    public static String current() {
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
