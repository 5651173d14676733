/**
 * The portal's words for guardian consent, in English, kept together so they can move into the message catalogues
 * (messages/*.json) as they are translated.
 */
export const guardianTexts = {
  forChild: (name: string) => `For ${name}, your child`,
  onBehalfTitle: (name: string) => `You are answering for ${name}, your child`,
  onBehalfMessage: (name: string, basis: string) =>
    `${name} is under age, so as their guardian (${basis}) you answer this request on their behalf. Your answer is recorded as given by you for ${name}; the information is ${name}'s.`,
  minorTitle: "A guardian answers for you",
  minorMessage:
    "This request is about you, but while you are under age a guardian named in the households register answers it for you. They will see it when they sign in. Nothing has been recorded.",
  wardsUnavailable: "We could not check with the registry for requests about children you are the guardian of. Please look again in a moment.",
  answeredBy: "Answered by",
  answeredByGuardian: (nic: string, basis: string) => `The guardian with NIC ${nic}, on behalf of the person above (${basis})`,
} as const;
