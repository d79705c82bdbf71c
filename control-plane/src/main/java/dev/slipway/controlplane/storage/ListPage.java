package dev.slipway.controlplane.storage;

import java.util.List;

/**
 * One page of a list.
 *
 * @param items          the objects in key order
 * @param revision       the etcd revision the page was read at: the list's resourceVersion
 * @param continueToken  pass it back for the next page; "" when this is the last page
 * @param remainingCount how many objects follow this page (0 on the last page)
 */
public record ListPage(List<StoredObject> items, long revision, String continueToken, long remainingCount) {

    public ListPage {
        items = List.copyOf(items);
    }

    public boolean hasMore() {
        return !continueToken.isEmpty();
    }
}
