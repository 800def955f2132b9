-- The full SCIM user (issue #24 item 3, decisions/0032): the scalar attributes as columns (they have CSV columns,
-- field diffs and the set-based apply), the multi-valued ones as jsonb lists in the order and with the type and
-- primary the client gave. email and phone stay the primary element's value, mirrored by roster_with_primary.
ALTER TABLE directory_user
    ADD COLUMN middle_name        text,
    ADD COLUMN honorific_prefix   text,
    ADD COLUMN honorific_suffix   text,
    ADD COLUMN formatted_name     text,
    ADD COLUMN nick_name          text,
    ADD COLUMN profile_url        text,
    ADD COLUMN user_type          text,
    ADD COLUMN preferred_language text,
    ADD COLUMN timezone           text,
    ADD COLUMN employee_number    text,
    ADD COLUMN cost_center        text,
    ADD COLUMN organization       text,
    ADD COLUMN division           text,
    ADD COLUMN emails             jsonb,
    ADD COLUMN phone_numbers      jsonb,
    ADD COLUMN addresses          jsonb;

-- SCIM kept the Enterprise extension's four attributes among the custom attributes until now: they move to their
-- columns, so SCIM, the CSV columns and the diff see one value.
UPDATE directory_user
   SET employee_number = coalesce(employee_number, attributes->>'employeeNumber'),
       cost_center     = coalesce(cost_center, attributes->>'costCenter'),
       organization    = coalesce(organization, attributes->>'organization'),
       division        = coalesce(division, attributes->>'division'),
       attributes      = attributes - 'employeeNumber' - 'costCenter' - 'organization' - 'division'
 WHERE attributes ?| array['employeeNumber', 'costCenter', 'organization', 'division'];

-- A list whose primary element (primary true, else the first of type work, else the first: the element whose value
-- is the email or phone column) gets a new value; a null value takes it out (NULL when none is left). Called by the
-- set-based apply and the single-row writes when email or phone changes without the list, so the list never
-- disagrees with the column. A NULL list stays NULL.
CREATE FUNCTION roster_with_primary(list jsonb, primary_value text) RETURNS jsonb
    LANGUAGE sql IMMUTABLE AS $$
    WITH e AS (SELECT elem, ord FROM jsonb_array_elements(CASE WHEN jsonb_typeof(list) = 'array' THEN list
                                                               ELSE '[]'::jsonb END) WITH ORDINALITY t(elem, ord)),
         p AS (SELECT ord FROM e
                ORDER BY (elem->'primary' = 'true'::jsonb) IS TRUE DESC, (lower(elem->>'type') = 'work') IS TRUE DESC, ord
                LIMIT 1)
    SELECT CASE WHEN list IS NULL THEN NULL ELSE
        (SELECT jsonb_agg(CASE WHEN e.ord = (SELECT ord FROM p) THEN jsonb_set(e.elem, '{value}', to_jsonb(primary_value))
                               ELSE e.elem END ORDER BY e.ord)
           FROM e WHERE primary_value IS NOT NULL OR e.ord <> (SELECT ord FROM p)) END
$$;
