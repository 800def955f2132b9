package dev.roster.support;

import java.util.UUID;

import dev.roster.access.AdminAccount;
import dev.roster.access.AdminRole;
import dev.roster.credentials.PasswordHasher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

/** Creates admins with known passwords for tests; each gets a unique email so tests never collide. */
@ApplicationScoped
public class TestAdmins {

    public static final String PASSWORD = "correct horse battery staple";

    @Transactional
    public String create(AdminRole role) {
        String email = role.label() + "-" + UUID.randomUUID().toString().substring(0, 8) + "@test.roster";
        AdminAccount.newLocal(email, "Test " + role.label(), PasswordHasher.hash(PASSWORD), role).persist();
        return email;
    }
}
