package eu.minivoice.gateway.domain;

import java.time.Instant;

/**
 * Where a customer's calls are decided and reported (docs/product.md §2): {@code webhookUrl} answers
 * {@code call.initiated} with actions, {@code statusCallbackUrl} (default: the webhook) receives
 * the other events, {@code fallbackAction} (validated action-list JSON, or null for the built-in
 * default) is used when the webhook fails. The secret signs every request and is never shown.
 */
public record Application(String id, String customerId, String name, String webhookUrl, String statusCallbackUrl,
                          String fallbackAction, String webhookSecret, Instant createdAt, Instant updatedAt) {

    /** Where events other than the action fetch go. */
    public String eventsUrl() {
        return statusCallbackUrl != null ? statusCallbackUrl : webhookUrl;
    }

    @Override
    public String toString() {
        return "Application[id=" + id + ", customerId=" + customerId + ", name=" + name + ", webhookUrl=" + webhookUrl
                + ", statusCallbackUrl=" + statusCallbackUrl + "]";
    }
}
