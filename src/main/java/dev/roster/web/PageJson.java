package dev.roster.web;

import java.util.List;

/** The page shape every list endpoint of the API uses (users, batches, audit events, sources). */
public record PageJson<T>(List<T> items, long total, int page, int size) {
}
