package eu.minivoice.gateway.store;

import eu.minivoice.gateway.domain.PhoneNumber;

import java.util.List;
import java.util.Optional;

/** Persistence of a customer's DIDs. */
public interface NumberStore {
    /** @throws DuplicateException when the customer has the number already */
    void insert(PhoneNumber number);

    /** @return false when the customer has no such number */
    boolean update(PhoneNumber number);

    boolean delete(String customerId, String numberId);

    Optional<PhoneNumber> find(String customerId, String numberId);

    List<PhoneNumber> list(String customerId);

    /** The customer whose verified number this is, if any. */
    Optional<String> verifiedOwner(String number);

    /** Every number, for the SIP side's in-memory routing index at start-up. */
    List<PhoneNumber> listAll();

    /** One page of the customer's numbers, in list order. */
    List<PhoneNumber> page(String customerId, eu.minivoice.gateway.domain.PageRequest page);

    /** How many numbers the customer has (quotas). */
    int count(String customerId);
}
