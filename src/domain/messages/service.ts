import type { Knex } from 'knex';
import type { DomainContext } from '../context.js';
import { ConflictError, ValidationError } from '../errors.js';
import { canSeePatient, conversationParties, isPublicAccount, messageScope, requireActor, type Actor, type Resource } from '../policy.js';
import { noSuch, resolveById } from '../references.js';
import { notFoundFor } from '../visibility.js';
import { authorize, recordAudit } from '../audit/record.js';
import { inTransaction } from '../transaction.js';
import { checkLimit, fetchPage, type ListLimit, type Page } from '../paging.js';
import { findUserByRef, type UserRow } from '../../db/repositories/users.js';
import { panelDoctorIds } from '../../db/repositories/patients.js';
import {
  countMessages,
  findMessageById,
  findMessagesByIdPrefix,
  insertMessage,
  listMessages,
  markRead,
  type MessageRow,
  type MessageSelection,
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

  const patientId = conversationParties(actor, receiver).patientId ?? null;
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
  if (user && (isPublicAccount(user) || canSeePatient(actor, { patientId: user.id, panelDoctorIds: await panelDoctorIds(ctx.db, user.id) }))) return user;
  throw await notFoundFor(ctx, actor, {
    kind: 'patient',
    action,
    entity: 'user',
    ref,
    existing: user && { id: user.id, patientId: user.id },
    error: noSuch('user', ref),
  });
}

/** What the policy needs to know about the two parties: roles and the patient's panel. */
async function sendingFacts(db: Knex, actor: Actor, receiver: UserRow, patientId: string | null): Promise<Resource> {
  const { doctorId } = conversationParties(actor, receiver);
  return {
    userId: receiver.id,
    counterpartRole: receiver.role,
    ...(doctorId ? { doctorId } : {}),
    ...(patientId ? { patientId, panelDoctorIds: await panelDoctorIds(db, patientId) } : {}),
  };
}

/** The patient in a message's conversation, if there is one: audit rows about it are filed under that patient. */
function patientOf(message: MessageRow): string | null {
  return conversationParties({ id: message.sender_id, role: message.sender_role }, { id: message.receiver_id, role: message.receiver_role }).patientId ?? null;
}

export async function listInbox(ctx: DomainContext, filter: { unreadOnly?: boolean; limit?: ListLimit | undefined } = {}): Promise<Page<MessageView>> {
  const actor = requireActor(ctx.actor);
  return messagePage(ctx.db, { receivedBy: actor.id, unreadOnly: filter.unreadOnly === true }, checkLimit(filter.limit));
}

export async function listSent(ctx: DomainContext, filter: { limit?: ListLimit | undefined } = {}): Promise<Page<MessageView>> {
  const actor = requireActor(ctx.actor);
  return messagePage(ctx.db, { sentBy: actor.id }, checkLimit(filter.limit));
}

/**
 * The conversation between the actor and `other` (username or id), both directions, oldest first:
 * its latest page, as a chat shows it.
 */
export async function showThread(ctx: DomainContext, other: string, filter: { limit?: ListLimit | undefined } = {}): Promise<Page<MessageView>> {
  const actor = requireActor(ctx.actor);
  const limit = checkLimit(filter.limit);
  const counterpart = await findUserByRef(ctx.db, other.trim());
  const page = counterpart ? await messagePage(ctx.db, { between: [actor.id, counterpart.id] }, limit) : { items: [], total: 0 };
  // A conversation the actor is part of is theirs to see, whoever the other one is now.
  if (page.items.length === 0) await findKnownUser(ctx, actor, other, 'messages.thread');
  return { items: page.items.reverse(), total: page.total };
}

/** Newest first, a page at a time (src/domain/paging.ts). */
async function messagePage(db: Knex, selection: MessageSelection, limit: number | undefined): Promise<Page<MessageView>> {
  const page = await fetchPage(
    limit,
    (n) => listMessages(db, selection, n),
    () => countMessages(db, selection),
  );
  return { items: page.items.map(messageView), total: page.total };
}

/**
 * Shows one of the actor's messages; the receiver reading it marks it read (the first time). The
 * sender may read what they sent without marking it. Anyone else's message is "not found", so ids
 * reveal nothing; the attempt is audited as denied.
 */
export async function readMessage(ctx: DomainContext, ref: string): Promise<MessageView> {
  const actor = requireActor(ctx.actor);
  const message = await resolveById(ctx, actor, ref, {
    kind: 'message',
    action: 'messages.read',
    find: (prefix, reach, limit) => findMessagesByIdPrefix(ctx.db, prefix, { ...(reach === 'visible' ? messageScope(actor) : {}), limit }),
    audited: (row) => ({ id: row.id, patientId: patientOf(row) }),
  });
  return inTransaction(ctx, async (trx) => {
    const marked = message.receiver_id === actor.id && message.read_at === null && (await markRead(trx, message.id, ctx.now())) !== undefined;
    await recordAudit(trx, actor, {
      action: 'messages.read',
      entity: 'message',
      entityId: message.id,
      patientId: patientOf(message),
      details: { marked },
    });
    return messageView(await loadMessage(trx, message.id));
  });
}

/** Unread messages in the actor's inbox (shown by `whoami`). */
export async function countUnreadMessages(ctx: DomainContext): Promise<number> {
  const actor = requireActor(ctx.actor);
  return countMessages(ctx.db, { receivedBy: actor.id, unreadOnly: true });
}

async function loadMessage(db: Knex, id: string): Promise<MessageRow> {
  const row = await findMessageById(db, id);
  if (!row) throw noSuch('message', id);
  return row;
}
