package eu.minivoice.gateway.store;

import eu.minivoice.gateway.domain.Application;

import java.util.List;
import java.util.Optional;

/** Persistence of applications, scoped by customer like every store. */
public interface ApplicationStore {
    /** @throws DuplicateException when the name is taken within the customer */
    void insert(Application app);

    /** @return false when the customer has no such application */
    boolean update(Application app);

    boolean delete(String customerId, String applicationId);

    Optional<Application> find(String customerId, String applicationId);

    List<Application> list(String customerId);

    /** Every application, for the dispatcher's in-memory directory at start-up. */
    List<Application> listAll();

    /** One page of the customer's applications, in list order. */
    List<Application> page(String customerId, eu.minivoice.gateway.domain.PageRequest page);

    /** How many applications the customer has (quotas). */
    int count(String customerId);
}
