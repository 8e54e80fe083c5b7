package eu.minivoice.gateway.service;

import eu.minivoice.gateway.domain.Trunk;

/** Told after a trunk change is stored; must return quickly (it runs on an API worker thread). */
public interface TrunkChangeListener {
    /** @param before null on create; @param after null on delete */
    void trunkChanged(Trunk before, Trunk after);
}
