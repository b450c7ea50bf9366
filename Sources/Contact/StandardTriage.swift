import TownhallKernel

/// The adult social care flow that demo and test partnerships start with: the questions a county contact centre asks at
/// first contact (Care Act 2014, s.9 and s.42), ending in advice now, a simple equipment assessment within 48 hours (two
/// working days), or a referral to a social-care professional with the answers attached.
public enum StandardTriage {
    public static let adultSocialCareService = "209"
    public static let name = "Adult social care: first contact"

    public static let nodes: [TriageFlow.Node] = [
        .init(id: "danger", question: "Is the person in immediate danger?", help: "Ask: \"Is anyone hurt or at risk of being hurt right now?\"",
              answers: [.init(label: "Yes", next: "emergency"), .init(label: "No", next: "abuse")]),
        .init(id: "abuse", question: "Is there a concern that the person is being abused or neglected?",
              help: "Ask: \"Is anyone hurting them, taking their money, or not looking after them?\" Abuse can be physical, financial, emotional or neglect.",
              answers: [.init(label: "Yes", next: "safeguarding"), .init(label: "No", next: "need")]),
        .init(id: "need", question: "What does the caller need help with?",
              help: "Ask: \"What is the main thing that is hard to manage at the moment?\"",
              answers: [.init(label: "Information about care services, costs or support groups", next: "advice"),
                        .init(label: "Moving around the home, bathing or using the toilet safely", next: "equipment_only"),
                        .init(label: "Personal care, meals or managing at home every day", next: "carer")]),
        .init(id: "equipment_only", question: "Would simple equipment solve it, with no other care needs?",
              help: "Simple equipment: grab rails, a bath seat, a raised toilet seat, a perching stool. Not stairlifts or building work.",
              answers: [.init(label: "Yes", next: "equipment"), .init(label: "No, or not sure", next: "referral")]),
        .init(id: "carer", question: "Does someone care for the person now, and is that care at risk of breaking down?",
              answers: [.init(label: "Yes, the care is at risk of breaking down", next: "referral_soon"), .init(label: "No", next: "referral")]),
        .init(id: "emergency", outcome: .signpost, title: "Emergency: call 999 now",
              script: "Say: \"Please put the phone down and call 999 now.\" Then tell a designated safeguarding officer straight away."),
        .init(id: "safeguarding", outcome: .referral, title: "Adult safeguarding concern referred to the safeguarding team",
              script: "Say: \"Thank you for telling us. A social worker will look at this today and may contact you.\"",
              serviceCode: adultSocialCareService, priority: "urgent"),
        .init(id: "advice", outcome: .advice, title: "Information and advice given",
              script: "Give the care directory (lancashire.gov.uk/care) and offer to send the \"Paying for care\" factsheet. Say they can call back at any time."),
        .init(id: "equipment", outcome: .bookAssessment, title: "Simple equipment assessment booked (within 48 hours)",
              script: "Say: \"An occupational therapy assistant will call within two working days to arrange a short visit.\"",
              serviceCode: "178", priority: "high"),
        .init(id: "referral_soon", outcome: .referral, title: "Referral to a social-care professional (care at risk of breaking down)",
              script: "Say: \"A social-care professional will contact you within five working days.\"", serviceCode: adultSocialCareService, priority: "high"),
        .init(id: "referral", outcome: .referral, title: "Referral to a social-care professional for a needs assessment",
              script: "Say: \"A social-care professional will contact you within four weeks to talk about your needs.\"",
              serviceCode: adultSocialCareService, priority: "normal"),
    ]
}
