package dev.roster.reset;

import java.util.UUID;

import dev.roster.credentials.TokenPurpose;

/** One link to issue and mail: for a RESET change or an onboarded user with send_invite. */
public record LinkRequest(UUID userId, String email, String displayName, TokenPurpose purpose, UUID batchId) {
}
