import TownhallKernel

/// An agreement under which one organisation's staff may see categories of another's records.
/// It runs one way (provider → recipient), has a legal basis, and lapses on its expiry date.
public struct SharingAgreement: Sendable, Codable, Equatable {
    public var id: AgreementID
    public var providerID: OrganisationID
    public var recipientID: OrganisationID
    public var categories: Set<DataCategory>
    public var legalBasis: String
    public var startsOn: LocalDate
    public var expiresOn: LocalDate
    public var revokedAt: Timestamp?
    public var createdAt: Timestamp

    public init(id: AgreementID = AgreementID(), providerID: OrganisationID, recipientID: OrganisationID, categories: Set<DataCategory>,
                legalBasis: String, startsOn: LocalDate, expiresOn: LocalDate, revokedAt: Timestamp? = nil, createdAt: Timestamp = .now) {
        self.id = id; self.providerID = providerID; self.recipientID = recipientID; self.categories = categories
        self.legalBasis = legalBasis; self.startsOn = startsOn; self.expiresOn = expiresOn; self.revokedAt = revokedAt; self.createdAt = createdAt
    }

    /// In force on `date`: started, not expired (the expiry date is the last day it applies), not revoked.
    public func isInForce(on date: LocalDate) -> Bool {
        revokedAt == nil && startsOn <= date && date <= expiresOn
    }

    public static func validate(providerID: OrganisationID, recipientID: OrganisationID, categories: Set<DataCategory>,
                                legalBasis: String, startsOn: LocalDate, expiresOn: LocalDate) throws {
        if providerID == recipientID {
            throw TownhallError.invalid("recipient", "An organisation does not need an agreement to see its own records.", code: "same_organisation")
        }
        if categories.isEmpty { throw TownhallError.invalid("categories", "Choose at least one category of data to share.") }
        if legalBasis.trimmingCharacters(in: .whitespaces).count < 10 {
            throw TownhallError.invalid("legal_basis", "State the legal basis for sharing, for example \"Crime and Disorder Act 1998, s.115\".")
        }
        if expiresOn < startsOn { throw TownhallError.invalid("expires_on", "The expiry date must be on or after the start date.") }
    }
}

/// The one place that decides whose records an organisation may see. Every store that reads across organisations
/// asks this, never joins agreements itself.
public enum SharingPolicy {
    /// The organisations whose `category` records `viewer` may see on `date`: always its own, plus every provider of an
    /// agreement in force that names the category.
    public static func visibleOrganisations(viewer: OrganisationID, category: DataCategory, on date: LocalDate,
                                            agreements: [SharingAgreement]) -> Set<OrganisationID> {
        var visible: Set<OrganisationID> = [viewer]
        for agreement in agreements where agreement.recipientID == viewer && agreement.categories.contains(category) && agreement.isInForce(on: date) {
            visible.insert(agreement.providerID)
        }
        return visible
    }
}
