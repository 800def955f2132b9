package dev.roster.access;

import dev.roster.audit.AuditTrail;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

/** The {@link Operator} of the current request, produced once per request for resources to pass to services. */
@RequestScoped
public class CurrentOperator {

    @Inject
    CurrentAdmin admin;
    @Inject
    AuditTrail audit;

    private Operator operator;

    public Operator get() {
        if (operator == null) {
            operator = new Operator(admin.id(), admin.displayName(), admin.roleLabel(), audit.currentActor());
        }
        return operator;
    }
}
