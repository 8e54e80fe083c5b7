package eu.minivoice.gateway.domain;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A URL the gateway will POST to: absolute {@code http}/{@code https} with a host, no user info
 * (credentials in a URL end up in logs) and no fragment. Checked when an application or a
 * customer's events URL is saved, so the dispatcher never meets a URL it cannot use.
 */
public final class WebhookUrl {
    public static final int MAX_LENGTH = 2048;

    private WebhookUrl() {
    }

    /** @return null when valid, else what is wrong */
    public static String problem(String url) {
        if (url == null || url.isBlank()) {
            return "must be an http or https URL";
        }
        if (url.length() > MAX_LENGTH) {
            return "must be at most " + MAX_LENGTH + " characters";
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return "is not a valid URL: " + e.getReason();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "must be an http or https URL";
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            return "must name a host";
        }
        if (uri.getRawUserInfo() != null) {
            return "must not contain credentials (user:password@); use the webhook secret";
        }
        if (uri.getRawFragment() != null) {
            return "must not contain a #fragment";
        }
        return null;
    }

    /** {@code scheme://host:port} of a valid URL: the unit the dispatcher bounds concurrency by. */
    public static String endpoint(String url) {
        URI uri = URI.create(url);
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    }
}
