import type { Knex } from 'knex';
import type { DomainContext } from '../context.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { canSeePatient, requireActor, type Actor, type Resource } from '../policy.js';
import { notFoundFor } from '../visibility.js';
import { authorize, recordAudit } from '../audit/record.js';
import { inTransaction } from '../transaction.js';
import { findUserByRef, type UserRow } from '../../db/repositories/users.js';
import { panelDoctorIds } from '../../db/repositories/patients.js';
import {
  countUnread,
  findMessageById,
  findMessagesByIdPrefix,
  insertMessage,
  listBetween,
  listReceived,
  listSentBy,
  markRead,
  type MessageRow,
} from '../../db/repositories/messages.js';
import { characterCount, checkMessageBody } from './body.js';
import { messageView, type MessageView } from './view.js';

export interface SendMessageInput {
  /** the receiver, by username or id */
  to: string;
  body: string;
}

/**
 * Sends a message (DESIGN §6 "messages"): a patient writes to their own doctors and to staff, a
 * doctor to their own patients, staff and admin, staff and admin to anyone.
 */
export async function sendMessage(ctx: DomainContext, input: SendMessageInput): Promise<MessageView> {
  const content = checkMessageBody(input.body);
  const actor = requireActor(ctx.actor);
  const receiver = await findKnownUser(ctx, actor, input.to, 'messages.send');
  if (receiver.id === actor.id) throw new ValidationError('You cannot send a message to yourself.');

  const patientId = patientParty(actor.id, actor.role, receiver.id, receiver.role);
  const audit = { entity: 'message', patientId, details: { receiverId: receiver.id, receiver: receiver.username } };
  await authorize(ctx, actor, 'messages.send', await sendingFacts(ctx.db, actor, receiver, patientId), audit);
  if (receiver.status === 'disabled') {
    throw new ConflictError(`The account "${receiver.username}" is disabled and cannot receive messages.`, { reason: 'ACCOUNT_DISABLED' });
  }

  return inTransaction(ctx, async (trx) => {
    const id = await insertMessage(trx, { sender_id: actor.id, receiver_id: receiver.id, content, created_at: ctx.now() });
    await recordAudit(trx, actor, { ...audit, action: 'messages.send', entityId: id, details: { ...audit.details, length: characterCount(content) } });
    return messageView(await loadMessage(trx, id));
  });
}

/**
 * The user named by `ref`, unless it is a patient the actor may not see: that one is "no user",
 * exactly like an unknown username, so messages cannot probe who is a patient here. Staff, doctors
 * and admins are known to everyone.
 */
async function findKnownUser(ctx: DomainContext, actor: Actor, ref: string, action: string): Promise<UserRow> {
  const user = await findUserByRef(ctx.db, ref.trim());
  if (user && (user.role !== 'patient' || canSeePatient(actor, { patientId: user.id, panelDoctorIds: await panelDoctorIds(ctx.db, user.id) }))) return user;
  throw await notFoundFor(ctx, actor, {
    kind: 'patient',
    action,
    entity: 'user',
    ref,
    existing: user && { id: user.id, patientId: user.id },
    error: new NotFoundError(`No user "${ref}".`, { remedy: 'Name the other person by username or id.' }),
  });
}

/** What the policy needs to know about the two parties: roles and the patient's panel. */
async function sendingFacts(db: Knex, actor: Actor, receiver: UserRow, patientId: string | null): Promise<Resource> {
  const doctorId = receiver.role === 'doctor' ? receiver.id : actor.role === 'doctor' ? actor.id : undefined;
  return {
    userId: receiver.id,
    counterpartRole: receiver.role,
    ...(doctorId ? { doctorId } : {}),
    ...(patientId ? { patientId, panelDoctorIds: await panelDoctorIds(db, patientId) } : {}),
  };
}

/** The patient in a conversation, if there is one: audit rows about it are filed under that patient. */
function patientParty(senderId: string, senderRole: string, receiverId: string, receiverRole: string): string | null {
  if (senderRole === 'patient') return senderId;
  if (receiverRole === 'patient') return receiverId;
  return null;
}

export async function listInbox(ctx: DomainContext, filter: { unreadOnly?: boolean } = {}): Promise<MessageView[]> {
  const actor = requireActor(ctx.actor);
  return (await listReceived(ctx.db, actor.id, filter)).map(messageView);
}

export async function listSent(ctx: DomainContext): Promise<MessageView[]> {
  const actor = requireActor(ctx.actor);
  return (await listSentBy(ctx.db, actor.id)).map(messageView);
}

/** The conversation between the actor and `other` (username or id), both directions, oldest first. */
export async function showThread(ctx: DomainContext, other: string): Promise<MessageView[]> {
  const actor = requireActor(ctx.actor);
  const counterpart = await findUserByRef(ctx.db, other.trim());
  const messages = counterpart ? await listBetween(ctx.db, actor.id, counterpart.id) : [];
  // A conversation the actor is part of is theirs to see, whoever the other one is now.
  if (messages.length === 0) await findKnownUser(ctx, actor, other, 'messages.thread');
  return messages.map(messageView);
}

/**
 * Shows one of the actor's messages; the receiver reading it marks it read (the first time). The
 * sender may read what they sent without marking it. Anyone else's message is "not found", so ids
 * reveal nothing; the attempt is audited as denied.
 */
export async function readMessage(ctx: DomainContext, ref: string): Promise<MessageView> {
  const prefix = parseMessageRef(ref);
  const actor = requireActor(ctx.actor);
  const message = await resolveOwnMessage(ctx, actor, prefix, ref);
  return inTransaction(ctx, async (trx) => {
    const marked = message.receiver_id === actor.id && message.read_at === null && (await markRead(trx, message.id, ctx.now())) !== undefined;
    await recordAudit(trx, actor, {
      action: 'messages.read',
      entity: 'message',
      entityId: message.id,
      patientId: patientParty(message.sender_id, message.sender_role, message.receiver_id, message.receiver_role),
      details: { marked },
    });
    return messageView(await loadMessage(trx, message.id));
  });
}

/** Unread messages in the actor's inbox (shown by `whoami`). */
export async function countUnreadMessages(ctx: DomainContext): Promise<number> {
  const actor = requireActor(ctx.actor);
  return countUnread(ctx.db, actor.id);
}

const MIN_PREFIX = 8;

/** DESIGN §3: a message is named by its id or a unique prefix of at least 8 characters. */
function parseMessageRef(ref: string): string {
  const prefix = ref.trim().toLowerCase();
  if (!/^[0-9a-f-]+$/.test(prefix) || prefix.length > 36) {
    throw new ValidationError(`"${ref}" is not a message id.`, { remedy: 'Use the id shown by `clinic messages inbox` or `messages sent`.' });
  }
  if (prefix.length < MIN_PREFIX) {
    throw new ValidationError(`A message id prefix needs at least ${MIN_PREFIX} characters ("${ref}" has ${prefix.length}).`);
  }
  return prefix;
}

async function resolveOwnMessage(ctx: DomainContext, actor: Actor, prefix: string, ref: string): Promise<MessageRow> {
  const mine = await findMessagesByIdPrefix(ctx.db, prefix, { participantId: actor.id, limit: 2 });
  if (mine.length > 1) {
    throw new ValidationError(`"${ref}" matches more than one of your messages.`, { remedy: 'Give more characters of the id.' });
  }
  if (mine[0]) return mine[0];
  const [theirs] = await findMessagesByIdPrefix(ctx.db, prefix, { limit: 1 });
  throw await notFoundFor(ctx, actor, {
    kind: 'message',
    action: 'messages.read',
    ref,
    existing: theirs && { id: theirs.id, patientId: patientParty(theirs.sender_id, theirs.sender_role, theirs.receiver_id, theirs.receiver_role) },
    error: new NotFoundError(`No message "${ref}" among yours.`, { remedy: 'See `clinic messages inbox` and `clinic messages sent`.' }),
  });
}

async function loadMessage(db: Knex, id: string): Promise<MessageRow> {
  const row = await findMessageById(db, id);
  if (!row) throw new NotFoundError(`No message "${id}".`);
  return row;
}
