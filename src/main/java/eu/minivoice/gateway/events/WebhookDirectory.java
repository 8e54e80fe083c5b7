package eu.minivoice.gateway.events;

import eu.minivoice.gateway.domain.Application;
import eu.minivoice.gateway.domain.Customer;
import eu.minivoice.gateway.domain.StoredEvent;
import eu.minivoice.gateway.domain.TargetKind;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where events go, in memory (the dispatcher never asks the database on its hot path): the
 * applications, the customers' event URLs, and which application each trunk belongs to. Loaded at
 * start and kept current by the services' change notifications.
 */
public final class WebhookDirectory {
    /** One place an event goes, and whose secret signs it. */
    public record Target(TargetKind kind, String targetId, String url) {
    }

    private record TrunkLink(String customerId, String applicationId) {
    }

    private final Map<String, Application> applications = new ConcurrentHashMap<>();
    private final Map<String, Customer> customers = new ConcurrentHashMap<>();
    private final Map<String, TrunkLink> trunks = new ConcurrentHashMap<>();

    public void putApplication(Application app) {
        applications.put(app.id(), app);
    }

    public void removeApplication(String applicationId) {
        applications.remove(applicationId);
    }

    public void putCustomer(Customer customer) {
        customers.put(customer.id(), customer);
    }

    /** @param applicationId null when the trunk has none */
    public void putTrunk(String trunkId, String customerId, String applicationId) {
        trunks.put(trunkId, new TrunkLink(customerId, applicationId));
    }

    public void removeTrunk(String trunkId) {
        trunks.remove(trunkId);
    }

    public Optional<Application> application(String applicationId) {
        return applicationId == null ? Optional.empty() : Optional.ofNullable(applications.get(applicationId));
    }

    /**
     * docs/product.md §6: call events to the call's application ({@code status_callback_url}, else
     * {@code webhook_url}), or the customer's {@code events_url} when the call has none; trunk events to the trunk's application when it has one and to the
     * customer's {@code events_url} when set. A URL is listed once. Another customer's
     * application is never a target, whatever id an event carries.
     */
    public List<Target> targets(StoredEvent event) {
        List<Target> out = new ArrayList<>(2);
        if (event.type().startsWith("trunk.")) {
            TrunkLink link = trunks.get(event.subjectId());
            String appId = link == null ? event.applicationId() : link.applicationId();
            addApplication(out, appId, event.customerId());
            Customer c = customers.get(event.customerId());
            if (c != null && c.eventsUrl() != null && out.stream().noneMatch(t -> t.url().equals(c.eventsUrl()))) {
                out.add(new Target(TargetKind.CUSTOMER, c.id(), c.eventsUrl()));
            }
        } else {
            addApplication(out, event.applicationId(), event.customerId());
            // A call with no application (an outbound call through a trunk without one) reports to
            // the customer's events_url, so no call goes unreported.
            Customer c = customers.get(event.customerId());
            if (out.isEmpty() && c != null && c.eventsUrl() != null) {
                out.add(new Target(TargetKind.CUSTOMER, c.id(), c.eventsUrl()));
            }
        }
        return out;
    }

    private void addApplication(List<Target> out, String applicationId, String customerId) {
        Application app = applicationId == null ? null : applications.get(applicationId);
        if (app != null && app.customerId().equals(customerId)) {
            out.add(new Target(TargetKind.APPLICATION, app.id(), app.eventsUrl()));
        }
    }

    /** The secret that signs requests to this target now (rotations apply to pending retries). */
    public Optional<String> secret(TargetKind kind, String targetId) {
        return switch (kind) {
            case APPLICATION, ACTION -> Optional.ofNullable(applications.get(targetId)).map(Application::webhookSecret);
            case CUSTOMER -> Optional.ofNullable(customers.get(targetId)).map(Customer::eventsSecret);
        };
    }
}
