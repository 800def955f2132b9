-- Groups, memberships and managers in plans and applies (#13, engine). docs/groups.md.

-- The operations of this release (the same list as V15 of the sync branch: whichever runs last keeps all).
ALTER TABLE batch DROP CONSTRAINT IF EXISTS batch_operation_check;
ALTER TABLE batch ADD CONSTRAINT batch_operation_check
    CHECK (operation IN ('ONBOARD', 'UPDATE', 'DELETE', 'RESET', 'MIXED', 'MEMBERSHIP', 'GROUPS', 'SYNC'));

-- Group rows of a plan: a group's create, update (rename, description, external id) or delete, and one
-- membership added or removed by a membership file.
ALTER TABLE plan_item DROP CONSTRAINT IF EXISTS plan_item_kind_check;
ALTER TABLE plan_item ADD CONSTRAINT plan_item_kind_check
    CHECK (kind IN ('CREATE', 'UPDATE', 'DELETE', 'RESET', 'UNCHANGED', 'ERROR',
                    'GROUP_CREATE', 'GROUP_UPDATE', 'GROUP_DELETE', 'MEMBER_ADD', 'MEMBER_REMOVE'));
-- The group a group row or membership row targets (null for a group this batch creates);
-- planned_version then holds the group's version for group rows and the member's for membership rows.
ALTER TABLE plan_item ADD COLUMN group_id uuid;

-- The upload's choice, and the plan's group totals beside the user totals.
ALTER TABLE batch
    ADD COLUMN create_groups              boolean NOT NULL DEFAULT false,
    ADD COLUMN count_group_create         bigint  NOT NULL DEFAULT 0,
    ADD COLUMN count_group_update         bigint  NOT NULL DEFAULT 0,
    ADD COLUMN count_group_delete         bigint  NOT NULL DEFAULT 0,
    ADD COLUMN count_member_rows          bigint  NOT NULL DEFAULT 0,
    ADD COLUMN count_membership_add       bigint  NOT NULL DEFAULT 0,
    ADD COLUMN count_membership_remove    bigint  NOT NULL DEFAULT 0,
    ADD COLUMN count_group_delete_members bigint  NOT NULL DEFAULT 0,
    ADD COLUMN count_manager_change       bigint  NOT NULL DEFAULT 0;

-- How many groups a plan row's "groups" field adds (added = true) or removes: names in one set and not in the
-- other, ignoring case. Counts a revert's membership changes like the planner counts an upload's.
CREATE FUNCTION roster_group_set_changes(fields jsonb, added boolean) RETURNS bigint
    LANGUAGE sql IMMUTABLE AS $$
    SELECT count(*)
      FROM jsonb_array_elements(fields) f,
           unnest(string_to_array(CASE WHEN added THEN f->>'after' ELSE f->>'before' END, '|')) n
     WHERE f->>'name' = 'groups'
       AND lower(n) <> ALL (coalesce(string_to_array(lower(CASE WHEN added THEN f->>'before' ELSE f->>'after' END), '|'),
                                     '{}'::text[]))
$$;
