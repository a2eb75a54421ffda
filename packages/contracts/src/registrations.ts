import { CLAIM_STATUSES } from '@linli/domain';
import { z } from 'zod';
import { IsoInstant, Line, Text } from './common.ts';

/** A session's waitlist entry: waiting in line, offered a place, or done. */
export const SESSION_WAITLIST_STATUSES = ['waiting', 'offered', 'registered', 'expired', 'cancelled'] as const;

export const SessionRegistrationParams = z.strictObject({ id: z.uuid(), rid: z.uuid() });
export type SessionRegistrationParams = z.infer<typeof SessionRegistrationParams>;

export const RegisterForSessionBody = z.strictObject({ partySize: z.number().int().min(1).max(100).default(1) });
export type RegisterForSessionBody = z.infer<typeof RegisterForSessionBody>;

export const RegistrationReasonBody = z.strictObject({ reason: Text({ min: 1, max: 500 }).optional() });
export type RegistrationReasonBody = z.infer<typeof RegistrationReasonBody>;

export const RegistrationCheckInBody = z.strictObject({ code: Line({ min: 4, max: 16 }).optional() });
export type RegistrationCheckInBody = z.infer<typeof RegistrationCheckInBody>;

/** A resident's place in a session, with what they need to find it (the session's time and site). */
export const Registration = z.object({
  id: z.uuid(),
  activityId: z.uuid(),
  sessionId: z.uuid(),
  activityTitle: z.string(),
  activityTitleEn: z.string().nullable(),
  siteId: z.uuid(),
  startAt: IsoInstant,
  endAt: IsoInstant,
  sessionStatus: z.string(),
  partySize: z.number().int(),
  status: z.enum(CLAIM_STATUSES),
  /** Set while a waitlist offer is held: accept before this instant. */
  offerExpiresAt: IsoInstant.nullable(),
  checkInCode: z.string(),
  checkedInAt: IsoInstant.nullable(),
  /** The attendee has rated this session (feedback is given once). */
  feedbackGiven: z.boolean(),
  createdAt: IsoInstant,
});
export type Registration = z.infer<typeof Registration>;

export const SessionWaitlistEntry = z.object({
  id: z.uuid(),
  sessionId: z.uuid(),
  partySize: z.number().int(),
  status: z.enum(SESSION_WAITLIST_STATUSES),
  /** 1 for the first in line; null once the entry has left the line. */
  position: z.number().int().nullable(),
  registrationId: z.uuid().nullable(),
  createdAt: IsoInstant,
});
export type SessionWaitlistEntry = z.infer<typeof SessionWaitlistEntry>;

export const RegisteredResponse = z.object({ registration: Registration });
export const WaitlistedResponse = z.object({ waitlisted: SessionWaitlistEntry });

export const MyRegistrations = z.object({ registrations: z.array(Registration), waitlist: z.array(SessionWaitlistEntry) });
export type MyRegistrations = z.infer<typeof MyRegistrations>;

/** A registrant as the session's staff and organizer see them. */
export const Registrant = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  displayName: z.string(),
  partySize: z.number().int(),
  status: z.enum(CLAIM_STATUSES),
  checkedInAt: IsoInstant.nullable(),
  createdAt: IsoInstant,
});
export const WaitingRegistrant = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  displayName: z.string(),
  partySize: z.number().int(),
  status: z.enum(SESSION_WAITLIST_STATUSES),
  position: z.number().int(),
});
export const SessionRegistrations = z.object({
  sessionId: z.uuid(),
  places: z.number().int(),
  placesHeld: z.number().int(),
  walkIns: z.number().int(),
  registrations: z.array(Registrant),
  waitlist: z.array(WaitingRegistrant),
});
export type SessionRegistrations = z.infer<typeof SessionRegistrations>;

export const WalkInBody = z.strictObject({ people: z.number().int().min(1).max(1000), note: Text({ min: 1, max: 500 }).optional() });
export type WalkInBody = z.infer<typeof WalkInBody>;
export const WalkIn = z.object({ id: z.uuid(), sessionId: z.uuid(), people: z.number().int(), note: z.string().nullable(), at: IsoInstant });
export type WalkIn = z.infer<typeof WalkIn>;

export const FeedbackBody = z.strictObject({ rating: z.number().int().min(1).max(5), comment: Text({ min: 1, max: 1000 }).optional() });
export type FeedbackBody = z.infer<typeof FeedbackBody>;
export const Feedback = z.object({ registrationId: z.uuid(), sessionId: z.uuid(), rating: z.number().int(), comment: z.string().nullable(), createdAt: IsoInstant });
export type Feedback = z.infer<typeof Feedback>;

/** How a session felt, for its organizer and staff: no names, so comments can be shown on. */
export const SessionFeedback = z.object({
  sessionId: z.uuid(),
  count: z.number().int(),
  attended: z.number().int(),
  /** Mean rating; null before anyone rated. */
  average: z.number().nullable(),
  /** Ratings per attended registration; null when nobody attended. */
  responseRate: z.number().nullable(),
  comments: z.array(z.object({ rating: z.number().int(), comment: z.string(), createdAt: IsoInstant })),
});
export type SessionFeedback = z.infer<typeof SessionFeedback>;
