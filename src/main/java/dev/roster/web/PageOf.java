package dev.roster.web;

import java.util.List;

/**
 * One page of a server-side paged list; pages count from 1. {@code totalAtLeast}: the total is a lower bound
 * (a count that stopped early), shown as "1,000+".
 */
public record PageOf<T>(List<T> items, long total, int page, int size, boolean totalAtLeast) {

    public PageOf(List<T> items, long total, int page, int size) {
        this(items, total, page, size, false);
    }

    public static final int DEFAULT_SIZE = 25;
    public static final int MAX_SIZE = 500;

    public static int clampSize(Integer size) {
        return size == null || size < 1 ? DEFAULT_SIZE : Math.min(size, MAX_SIZE);
    }

    public static int clampPage(Integer page) {
        return page == null || page < 1 ? 1 : page;
    }

    public int pages() {
        return total == 0 ? 1 : (int) ((total + size - 1) / size);
    }

    public boolean hasPrevious() {
        return page > 1;
    }

    public boolean hasNext() {
        return page < pages() || (totalAtLeast && items.size() == size);
    }

    public int previous() {
        return page - 1;
    }

    public int next() {
        return page + 1;
    }

    public long firstIndex() {
        return total == 0 ? 0 : (long) (page - 1) * size + 1;
    }

    public long lastIndex() {
        return Math.min((long) page * size, total);
    }
}
