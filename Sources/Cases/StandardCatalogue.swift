import TownhallKernel

/// The street-report and partner services every demo and test partnership starts with: real LGSL codes (587 fly-tipping,
/// 564 street lights, 557 potholes, 584 graffiti, 412 noise) with the forms and targets councils publish for them, and
/// the police's anti-social behaviour referral. Councils edit their own copies through the catalogue API.
public enum StandardCatalogue {
    static func target(_ amount: Int, _ unit: ServiceLevelTarget.Unit) -> ServiceLevelTarget { try! ServiceLevelTarget(amount: amount, unit: unit) }
    static func values(_ pairs: [(String, String)]) -> [ServiceAttribute.Value] { pairs.map { .init(key: $0.0, name: $0.1) } }

    public static func services(for organisation: OrganisationID, kind: String) -> [ServiceDefinition] {
        func make(_ code: String, _ name: String, _ group: String, _ description: String, tier: ProvidingTier, keywords: [String],
                  attributes: [ServiceAttribute], priority: Priority = .normal, targets: [Priority: ServiceLevelTarget]) -> ServiceDefinition {
            ServiceDefinition(id: ServiceID(StableUUID.make("standard-service/\(organisation)/\(code)")), organisationID: organisation, code: code, name: name,
                              group: group, description: description, keywords: keywords, tier: tier, attributes: attributes, defaultPriority: priority, targets: targets)
        }
        let flyTipping = make("587", "Fly-tipping", "Street cleaning", "Rubbish dumped on a street, verge, alley or open land.", tier: .districtUnitary,
                              keywords: ["rubbish", "dumped", "waste", "tipping"],
                              attributes: [
                                ServiceAttribute(code: "waste_type", datatype: .singlevaluelist, required: true, order: 1, description: "What has been dumped?",
                                                 values: values([("household", "Household rubbish"), ("furniture", "Furniture or mattresses"), ("building", "Building rubble"),
                                                                 ("garden", "Garden waste"), ("hazardous", "Chemicals, asbestos or needles"), ("other", "Something else")])),
                                ServiceAttribute(code: "quantity", datatype: .singlevaluelist, required: true, order: 2, description: "How much is there?",
                                                 values: values([("bag", "A bag or two"), ("car_boot", "A car boot load"), ("van", "A van load"), ("lorry", "A lorry load or more")])),
                                ServiceAttribute(code: "seen_at", datatype: .datetime, order: 3, description: "When did you see it being dumped, if you did?"),
                              ],
                              targets: [.urgent: target(4, .workingHours), .high: target(1, .workingDays), .normal: target(5, .workingDays), .low: target(10, .workingDays)])
        let graffiti = make("584", "Graffiti", "Street cleaning", "Graffiti on public buildings, walls, bridges or street furniture.", tier: .districtUnitary,
                            keywords: ["tagging", "vandalism", "paint"],
                            attributes: [ServiceAttribute(code: "offensive", datatype: .singlevaluelist, required: true, order: 1, description: "Is it offensive or racist?",
                                                          values: values([("yes", "Yes"), ("no", "No")]))],
                            targets: [.high: target(1, .workingDays), .normal: target(10, .workingDays)])
        let noise = make("412", "Noise nuisance", "Environmental health", "Noise from neighbours, premises, alarms or vehicles.", tier: .districtUnitary,
                         keywords: ["noise", "music", "alarm", "barking"], attributes: [
                            ServiceAttribute(code: "source", datatype: .singlevaluelist, required: true, order: 1, description: "Where is the noise coming from?",
                                             values: values([("domestic", "A home"), ("commercial", "A business or pub"), ("alarm", "An alarm"), ("street", "The street")])),
                            ServiceAttribute(code: "times", datatype: .text, order: 2, description: "When does it happen?"),
                         ], targets: [.normal: target(5, .workingDays)])
        let streetLight = make("564", "Street light fault", "Roads and highways", "A street light that is out, on in the day, flickering or damaged.", tier: .countyUnitary,
                               keywords: ["lamp", "light", "lighting", "column"], attributes: [
                                ServiceAttribute(code: "column_number", datatype: .string, order: 1, description: "The number on the lamp post, if you can see it"),
                                ServiceAttribute(code: "fault", datatype: .singlevaluelist, required: true, order: 2, description: "What is wrong?",
                                                 values: values([("out", "Not working"), ("day_burning", "On during the day"), ("flickering", "Flickering"), ("damaged", "Damaged or leaning")])),
                               ], targets: [.urgent: target(2, .workingHours), .normal: target(10, .workingDays)])
        let pothole = make("557", "Pothole", "Roads and highways", "A pothole or damaged road surface.", tier: .countyUnitary, keywords: ["road", "pothole", "surface"],
                           attributes: [ServiceAttribute(code: "depth_cm", datatype: .number, order: 1, description: "About how deep is it, in centimetres?")],
                           targets: [.urgent: target(2, .workingHours), .high: target(5, .workingDays), .normal: target(20, .workingDays)])
        let asb = make("asb", "Anti-social behaviour", "Community safety", "Anti-social behaviour passed to the police: harassment, intimidation, drug dealing, vandalism.",
                       tier: .all, keywords: ["asb", "harassment", "intimidation", "drugs", "youths"], attributes: [
                        ServiceAttribute(code: "ongoing", datatype: .singlevaluelist, required: true, order: 1, description: "Is it happening now?",
                                         values: values([("now", "Yes, now"), ("recent", "In the last few days"), ("ongoing", "It keeps happening")])),
                       ], priority: .high, targets: [.urgent: target(1, .workingHours), .high: target(1, .workingDays), .normal: target(5, .workingDays)])
        // Adult social care at first contact (Care Act 2014, s.9): referrals made by staff after triage, not reported by the public.
        var equipment = make("178", "Equipment and adaptations assessment", "Adult social care",
                             "A simple assessment for daily-living equipment (grab rails, bath seats, raised toilet seats) by an occupational therapy assistant.",
                             tier: .countyUnitary, keywords: ["equipment", "adaptation", "grab rail", "bath", "occupational therapy"], attributes: [], priority: .high,
                             targets: [.high: target(2, .workingDays), .normal: target(10, .workingDays)])
        equipment.isPublic = false
        var needs = make("209", "Adult social care needs assessment", "Adult social care",
                         "A needs assessment by a social-care professional, with the first-contact answers attached.", tier: .countyUnitary,
                         keywords: ["social care", "care assessment", "carer", "home care", "safeguarding"], attributes: [],
                         targets: [.urgent: target(1, .workingDays), .high: target(5, .workingDays), .normal: target(20, .workingDays)])
        needs.isPublic = false
        switch kind {
        case "district": return [flyTipping, graffiti, noise]
        case "county": return [streetLight, pothole, equipment, needs]
        case "unitary": return [flyTipping, graffiti, noise, streetLight, pothole, equipment, needs]
        case "police": return [asb]
        default: return []
        }
    }
}
