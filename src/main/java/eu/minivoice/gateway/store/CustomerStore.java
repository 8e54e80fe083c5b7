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
    void addApiKey(String customerId, String keyHash, String keyHint, Instant createdAt);

    Optional<String> customerIdForKeyHash(String keyHash);

    /** Sets (or with nulls clears) where the customer's trunk events go. @return false: no such customer */
    boolean updateEvents(String customerId, String eventsUrl, String eventsSecret);
}
