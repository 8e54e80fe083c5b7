package eu.minivoice.gateway.store;

import eu.minivoice.gateway.domain.Trunk;

import java.util.List;
import java.util.Optional;

/** Persistence of trunks. Every query is scoped by customer, so one tenant never reads another's. */
public interface TrunkStore {
    /** @throws DuplicateException when name or gateway_name is taken within the customer */
    void insert(Trunk trunk);

    /** @return false when the trunk does not exist for that customer; @throws DuplicateException */
    boolean update(Trunk trunk);

    boolean delete(String customerId, String trunkId);

    Optional<Trunk> find(String customerId, String trunkId);

    List<Trunk> list(String customerId);

    /** Every trunk of every customer, for the SIP side's in-memory indexes at start-up. */
    List<Trunk> listAll();

    /** One page of the customer's trunks, in list order. */
    List<Trunk> page(String customerId, eu.minivoice.gateway.domain.PageRequest page);

    /** How many trunks the customer has (quotas). */
    int count(String customerId);
}
