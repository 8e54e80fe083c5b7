package eu.minivoice.gateway.store;

import eu.minivoice.gateway.domain.Customer;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Customers and their API keys (stored hashed; the store never sees a key in clear). */
public interface CustomerStore {
    /** @throws DuplicateException when the id exists */
    void insert(Customer customer);

    Optional<Customer> find(String customerId);

    List<Customer> list();

    /** @throws DuplicateException when the same key hash exists already */
    void addApiKey(String keyId, String customerId, String keyHash, String keyHint, String origin, Instant createdAt);

    /** The customer's keys, oldest first (no hashes). */
    java.util.List<eu.minivoice.gateway.domain.ApiKeyInfo> apiKeys(String customerId);

    /** @return false when the customer has no such key */
    boolean deleteApiKey(String customerId, String keyId);

    /** Removes the customer's keys of {@code origin} except the one with {@code keepHash}; @return how many */
    int deleteApiKeysOfOrigin(String customerId, String origin, String keepHash);

    Optional<String> customerIdForKeyHash(String keyHash);

    /** Sets (or with nulls clears) where the customer's trunk events go. @return false: no such customer */
    boolean updateEvents(String customerId, String eventsUrl, String eventsSecret);

    /** One page of every customer, oldest first. */
    List<Customer> page(eu.minivoice.gateway.domain.PageRequest page);

    /** Sets the customer's own quotas (null fields: the defaults). @return false when there is no such customer */
    boolean updateQuotas(String customerId, eu.minivoice.gateway.domain.Quotas quotas);
}
