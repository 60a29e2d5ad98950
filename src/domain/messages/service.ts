import type { Knex } from 'knex';
import type { DomainContext } from '../context.js';
import { ConflictError, ValidationError } from '../errors.js';
import {
  can,
  canSeePatient,
  conversationParties,
  isPublicAccount,
  messageScope,
  patientScope,
  requireActor,
  type Actor,
  type Resource,
  type Role,
} from '../policy.js';
import { noSuch, resolveById } from '../references.js';
import { notFoundFor } from '../visibility.js';
import { authorize, recordAudit } from '../audit/record.js';
import { inTransaction } from '../transaction.js';
import { checkLimit, fetchPage, type ListLimit, type Page } from '../paging.js';
import { findUserByRef, listActiveAccounts, type UserRow } from '../../db/repositories/users.js';
import { countPatients, listPatientsWithPanels, panelDoctorIds, type PatientFilter } from '../../db/repositories/patients.js';
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

/** Someone the actor may write to, as a prompt lists them. */
export interface Receiver {
  username: string;
  fullName: string;
  role: Role;
}

const PUBLIC_ROLES: readonly Role[] = ['admin', 'staff', 'doctor'];

/**
 * The active accounts the actor may send a message to whose name or username holds `search`, for
 * `messages send` to pick the receiver from: staff, admins and doctors first (everyone knows them),
 * then patients, at most `limit` in all, with how many there are. Each is judged by the policy, as
 * sendMessage judges it; the patients searched are those the actor may see (patientScope), so the
 * list and its count tell nothing of anyone else. Nothing is audited: nothing is read but names.
 */
export async function findReceivers(ctx: DomainContext, input: { search?: string | undefined; limit: number }): Promise<Page<Receiver>> {
  const actor = requireActor(ctx.actor);
  const search = input.search?.trim() || undefined;
  const mayWrite = (receiver: UserRow, panel: readonly string[] | undefined) =>
    receiver.id !== actor.id && can(actor, 'messages.send', facts(actor, receiver, panel));
  // Only a patient's own panel matters to whom they may write; a doctor's or staff's, to nobody's.
  const ownPanel = actor.role === 'patient' ? await panelDoctorIds(ctx.db, actor.id) : undefined;
  const known = (await listActiveAccounts(ctx.db, { roles: PUBLIC_ROLES, search })).filter((account) => mayWrite(account, ownPanel));
  let patients: Receiver[] = [];
  let patientTotal = 0;
  if (actor.role !== 'patient') {
    const filter: PatientFilter = { ...patientScope(actor), status: 'active', ...(search ? { search } : {}) };
    const room = Math.max(0, input.limit - known.length);
    const rows = room === 0 ? [] : await listPatientsWithPanels(ctx.db, { ...filter, limit: room });
    patients = rows.filter(({ patient, panel }) => mayWrite(patient, panel)).map(({ patient }) => receiverOf(patient));
    patientTotal = rows.length < room ? rows.length : await countPatients(ctx.db, filter);
  }
  return { items: [...known.slice(0, input.limit).map(receiverOf), ...patients], total: known.length + patientTotal };
}

function receiverOf(user: UserRow): Receiver {
  return { username: user.username, fullName: user.full_name, role: user.role };
}

/** sendingFacts, with the patient's panel already known. */
function facts(actor: Actor, receiver: UserRow, panel: readonly string[] | undefined): Resource {
  const { doctorId, patientId } = conversationParties(actor, receiver);
  return {
    userId: receiver.id,
    counterpartRole: receiver.role,
    ...(doctorId ? { doctorId } : {}),
    ...(patientId && panel ? { patientId, panelDoctorIds: panel } : {}),
  };
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
  return facts(actor, receiver, patientId ? await panelDoctorIds(db, patientId) : undefined);
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
