import CSV
import Foundation
import SQLKit
import Audit
import TownhallDatabase
import TownhallKernel

/// The partnership's public service API: organisations, the local-authority register and data-sharing agreements.
public struct Partnership: Sendable {
    public static let migrations = PartnershipStore.migrations
    public let database: Database
    /// The organisation list, which almost every request reads and which changes only when a partner joins.
    let cache: ShortLivedCache<String>

    public init(database: Database, cacheLifetime: Duration = .seconds(5)) {
        self.database = database
        self.cache = ShortLivedCache(lifetime: cacheLifetime)
    }

    // MARK: Organisations

    public func organisations() async throws -> [Organisation] {
        try await cache.value("organisations") { try await database.read { try await PartnershipStore.all(on: $0) } }
    }

    public func organisation(slug: String) async throws -> Organisation {
        // Organisations are never changed or removed, so a cached one is current; one that joined on another node a
        // moment ago is not cached yet, so a miss asks the database.
        if let o = try await organisations().first(where: { $0.slug == slug.lowercased() }) { return o }
        guard let o = try await database.read({ try await PartnershipStore.find(slug: slug.lowercased(), on: $0) }) else {
            throw TownhallError.notFound("Organisation \(slug)", field: "organisation")
        }
        return o
    }

    public func organisation(id: OrganisationID) async throws -> Organisation {
        if let o = try await organisations().first(where: { $0.id == id }) { return o }
        guard let o = try await database.read({ try await PartnershipStore.find(id: id, on: $0) }) else {
            throw TownhallError.notFound("Organisation \(id)", field: "organisation")
        }
        return o
    }

    /// Registers an organisation. `actor` nil is the platform's own bootstrap (first organisation, demo loading).
    public func create(_ input: NewOrganisation, by actor: Actor?, id: OrganisationID = OrganisationID()) async throws -> Organisation {
        defer { cache.clear() }
        if let actor { try actor.require(.organisationsManage) }
        let input = try input.validated()
        return try await database.transaction { db in
            var parentID: OrganisationID?
            if let parentSlug = input.parentSlug {
                guard let parent = try await PartnershipStore.find(slug: parentSlug, on: db) else {
                    throw TownhallError.invalid("parent", "There is no organisation with the slug \(parentSlug).", code: "unknown_parent")
                }
                parentID = parent.id
            }
            if try await PartnershipStore.find(slug: input.slug, on: db) != nil {
                throw TownhallError.conflict("An organisation with the slug \(input.slug) already exists.", code: "duplicate_slug", field: "slug")
            }
            let organisation = Organisation(id: id, slug: input.slug, name: input.name, kind: input.kind, onsCode: input.onsCode,
                                            custodianCode: input.custodianCode, parentID: parentID)
            try await PartnershipStore.insert(organisation, on: db)
            let auditActor = actor ?? .system(organisation.id, "bootstrap")
            try await AuditLog.record(AuditEntry(actor: auditActor, action: .create, entityType: "organisation", entityID: organisation.id.string,
                                                 changes: ["slug": .init(old: nil, new: organisation.slug), "name": .init(old: nil, new: organisation.name),
                                                           "kind": .init(old: nil, new: organisation.kind.rawValue)]), on: db)
            return organisation
        }
    }

    /// Registers a council from the national register by its ONS code, filling name, tier and custodian code.
    public func createCouncil(gss: String, slug: String? = nil, parentSlug: String? = nil, by actor: Actor?, id: OrganisationID = OrganisationID()) async throws -> Organisation {
        guard let authority = try await database.read({ try await PartnershipStore.authority(gss: gss.uppercased(), on: $0) }) else {
            throw TownhallError.invalid("ons_code", "\(gss) is not in the register of local authorities.", code: "unknown_ons_code")
        }
        let kind: Organisation.Kind = switch authority.tier { case .county: .countyCouncil; case .district: .districtCouncil; case .unitary: .unitaryCouncil }
        return try await create(NewOrganisation(slug: slug ?? authority.slug, name: authority.name, kind: kind, onsCode: authority.gss,
                                                custodianCode: authority.custodianCode, parentSlug: parentSlug), by: actor, id: id)
    }

    /// The organisations on this platform that are the councils covering a local authority area (by GSS code): the district
    /// and its county in a two-tier area, or the unitary. Councils not on the platform are nil.
    public func councils(covering gss: String) async throws -> (district: Organisation?, county: Organisation?, unitary: Organisation?) {
        try await database.read { db in
            guard let authority = try await PartnershipStore.authority(gss: gss.uppercased(), on: db) else { return (nil, nil, nil) }
            let own = try await PartnershipStore.find(onsCode: authority.gss, on: db)
            switch authority.tier {
            case .unitary: return (nil, nil, own)
            case .county: return (nil, own, nil)
            case .district:
                guard let parent = authority.parentGSS else { return (own, nil, nil) }
                return (own, try await PartnershipStore.find(onsCode: parent, on: db), nil)
            }
        }
    }

    public func authority(gss: String) async throws -> LocalAuthority? {
        try await database.read { try await PartnershipStore.authority(gss: gss.uppercased(), on: $0) }
    }

    /// Loads the register of local authorities (the CSV shipped in Resources, or a newer one in the same format).
    /// Returns how many rows were loaded. Rerunning updates in place.
    @discardableResult
    public func loadAuthorities(csv: String? = nil) async throws -> Int {
        let authorities = try LocalAuthority.register(csv: csv)
        try await database.transaction { db in
            for a in authorities { try await PartnershipStore.upsert(a, on: db) }
        }
        return authorities.count
    }

    // MARK: Agreements

    public func createAgreement(provider: OrganisationID, recipientSlug: String, categories: Set<DataCategory>, legalBasis: String,
                                startsOn: LocalDate, expiresOn: LocalDate, by actor: Actor, id: AgreementID = AgreementID()) async throws -> SharingAgreement {
        try actor.require(.agreementsManage)
        // An organisation grants access to its own records only.
        guard actor.organisationID == provider else { throw TownhallError.forbidden("Only the organisation that holds the records can share them.") }
        let recipient = try await organisation(slug: recipientSlug)
        try SharingAgreement.validate(providerID: provider, recipientID: recipient.id, categories: categories,
                                      legalBasis: legalBasis, startsOn: startsOn, expiresOn: expiresOn)
        let agreement = SharingAgreement(id: id, providerID: provider, recipientID: recipient.id, categories: categories,
                                         legalBasis: legalBasis.trimmingCharacters(in: .whitespaces), startsOn: startsOn, expiresOn: expiresOn)
        return try await database.transaction { db in
            if try await PartnershipStore.agreement(id: id, on: db) != nil {
                throw TownhallError.conflict("That agreement already exists.", code: "duplicate")
            }
            try await PartnershipStore.insert(agreement, on: db)
            try await AuditLog.record(AuditEntry(actor: actor, action: .create, entityType: "sharing_agreement", entityID: agreement.id.string,
                                                 changes: ["recipient": .init(old: nil, new: recipient.slug),
                                                           "categories": .init(old: nil, new: agreement.categories.map(\.rawValue).sorted().joined(separator: ",")),
                                                           "expires_on": .init(old: nil, new: expiresOn.description)]), on: db)
            return agreement
        }
    }

    public func agreements(for actor: Actor) async throws -> [SharingAgreement] {
        try await database.read { try await PartnershipStore.agreements(involving: actor.organisationID, on: $0) }
    }

    public func revokeAgreement(_ id: AgreementID, by actor: Actor) async throws {
        try actor.require(.agreementsManage)
        try await database.transaction { db in
            guard let agreement = try await PartnershipStore.agreement(id: id, on: db), agreement.providerID == actor.organisationID else {
                throw TownhallError.notFound("Agreement \(id)")
            }
            guard agreement.revokedAt == nil else { throw TownhallError.conflict("The agreement was already revoked.", code: "already_revoked") }
            try await PartnershipStore.revoke(id: id, at: .now, on: db)
            try await AuditLog.record(AuditEntry(actor: actor, action: .close, entityType: "sharing_agreement", entityID: id.string), on: db)
        }
    }

    /// The organisations whose `category` records the actor's organisation may see today. The one entry point every
    /// cross-organisation read goes through.
    public static func visibleOrganisations(for actor: Actor, category: DataCategory, on db: any SQLDatabase,
                                            today: LocalDate = .today()) async throws -> Set<OrganisationID> {
        let agreements = try await PartnershipStore.agreements(recipient: actor.organisationID, on: db)
        return SharingPolicy.visibleOrganisations(viewer: actor.organisationID, category: category, on: today, agreements: agreements)
    }
}

