package eu.minivoice.gateway.domain;

/**
 * One page of a list: the items after {@code cursor} (the id of the last item of the previous
 * page; null for the first page), at most {@code limit} of them. Keyset paging: stable while items
 * are added, and as cheap on the thousandth page as on the first.
 */
public record PageRequest(String cursor, int limit) {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    public static PageRequest first(int limit) {
        return new PageRequest(null, limit);
    }
}
