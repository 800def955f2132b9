package dev.roster.token;

import java.sql.Connection;
import java.util.List;
import java.util.UUID;

import dev.roster.access.Operator;

/**
 * Tokens just revoked, fired inside the revoking transaction: observers stop what the tokens configured on the
 * same connection (sync sources are paused), and may add work to run once it has committed.
 */
public record TokensRevoked(Connection connection, List<UUID> tokenIds, Operator who, List<Runnable> afterCommit) {
}
