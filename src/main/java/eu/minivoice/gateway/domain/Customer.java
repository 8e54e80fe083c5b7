package eu.minivoice.gateway.domain;

import java.time.Instant;

/**
 * A tenant. Every resource belongs to exactly one customer. {@code eventsUrl} receives the
 * customer's trunk events (docs/product.md §6), signed with {@code eventsSecret}, which is never shown.
 * {@code quotas}: the operator's settings for this customer (unset fields: the defaults).
 */
public record Customer(String id, String name, Instant createdAt, String eventsUrl, String eventsSecret,
                       Quotas quotas) {
    public Customer {
        quotas = quotas == null ? Quotas.NONE_SET : quotas;
    }

    public Customer(String id, String name, Instant createdAt) {
        this(id, name, createdAt, null, null, Quotas.NONE_SET);
    }

    public Customer withEvents(String url, String secret) {
        return new Customer(id, name, createdAt, url, secret, quotas);
    }

    @Override
    public String toString() {
        return "Customer[id=" + id + ", name=" + name + ", eventsUrl=" + eventsUrl + "]";
    }
}
