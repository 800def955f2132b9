package dev.roster.directory;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.roster.access.AdminRole;
import dev.roster.plan.UserStatus;
import dev.roster.web.PageJson;
import dev.roster.web.PageOf;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** JSON API over the directory: GET /api/users, /api/users/{id}, /api/users/export.csv. */
@Path("/api/users")
@RolesAllowed(AdminRole.VIEWER_ROLE)
public class DirectoryUserApi {

    /** A directory user as the API shows it (never the password hash). */
    public record UserJson(UUID id, String email, String externalId, String username, String givenName,
            String familyName, String displayName, String phone, String department, String title, String locale,
            UserStatus status, Map<String, String> attributes, boolean hasPassword, long version, Instant createdAt,
            Instant updatedAt, Instant deletedAt, List<UserLinks.GroupRef> groups, UserLinks.UserRef manager,
            // the SCIM attributes of issue #24 (decisions/0032)
            String middleName, String honorificPrefix, String honorificSuffix, String formattedName, String nickName,
            String profileUrl, String userType, String preferredLanguage, String timezone, String employeeNumber,
            String costCenter, String organization, String division, List<Map<String, Object>> emails,
            List<Map<String, Object>> phoneNumbers, List<Map<String, Object>> addresses) {

        static UserJson of(DirectoryUser u, UserLinks.Links links) {
            return new UserJson(u.id, u.email, u.externalId, u.username, u.givenName, u.familyName, u.displayName,
                    u.phone, u.department, u.title, u.locale, u.status, u.sortedAttributes(), u.passwordHash != null,
                    u.version, u.createdAt, u.updatedAt, u.deletedAt, links.groups(), links.manager(),
                    u.middleName, u.honorificPrefix, u.honorificSuffix, u.formattedName, u.nickName, u.profileUrl,
                    u.userType, u.preferredLanguage, u.timezone, u.employeeNumber, u.costCenter, u.organization,
                    u.division, u.emails, u.phoneNumbers, u.addresses);
        }
    }

    @Inject
    DirectoryQuery query;
    @Inject
    UserExportResponses exports;
    @Inject
    DirectoryLifecycle lifecycle;
    @Inject
    dev.roster.access.CurrentOperator operator;
    @Inject
    UserLinks links;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public PageJson<UserJson> list(@QueryParam("q") String q, @QueryParam("status") String status,
            @QueryParam("page") Integer page, @QueryParam("size") Integer size) {
        PageOf<DirectoryUser> users = query.search(q, DirectoryUserResource.parseStatus(status),
                PageOf.clampPage(page), PageOf.clampSize(size));
        Map<UUID, UserLinks.Links> linked = links.of(users.items().stream().map(u -> u.id).toList());
        return new PageJson<>(users.items().stream().map(u -> UserJson.of(u, linked.get(u.id))).toList(), users.total(),
                users.page(), users.size());
    }

    @GET
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public UserJson one(@PathParam("id") UUID id) {
        DirectoryUser user = DirectoryUser.findById(id);
        if (user == null) {
            throw new NotFoundException("No directory user with id " + id + ".");
        }
        return UserJson.of(user, links.of(id));
    }

    @POST
    @Path("{id}/restore")
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed(AdminRole.OPERATOR_ROLE)
    public UserJson restore(@PathParam("id") UUID id) {
        lifecycle.restore(id, operator.get().actor());
        return UserJson.of(DirectoryUser.findById(id), links.of(id));
    }

    @GET
    @Path("export.csv")
    @Produces("text/csv")
    public Response export(@QueryParam("format") String format) {
        return exports.csv(format);
    }
}
