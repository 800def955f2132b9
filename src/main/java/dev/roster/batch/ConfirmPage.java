package dev.roster.batch;

import java.util.ArrayList;
import java.util.List;

import dev.roster.batch.PlanItemQuery.ChangeView;
import dev.roster.batch.apply.ApplyPolicy;
import dev.roster.batch.state.ApplyConflict;
import dev.roster.batch.state.Batch;
import io.quarkus.qute.TemplateInstance;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The confirm page of a batch, as first shown and as shown again with the reason of a refused apply. */
@ApplicationScoped
public class ConfirmPage {

    @Inject
    PlanItemQuery items;
    @Inject
    ApplyPolicy policy;

    public TemplateInstance render(Batch batch, String error, List<ApplyConflict> conflicts) {
        List<ChangeView> sample = new ArrayList<>();
        for (String kind : List.of("create", "update", "delete", "reset")) {
            sample.addAll(items.page(batch, PlanItemQuery.Filter.parse(kind, null), 1, 5).items());
        }
        List<ApplyConflict> shown = conflicts.isEmpty() && batch.conflicts != null ? batch.conflicts : conflicts;
        return BatchResource.Templates.confirm(batch, sample, items.mailCount(batch), policy.approvalRequired(batch),
                policy.overDeleteCap(batch), policy.activeUsers(), error, shown);
    }
}
