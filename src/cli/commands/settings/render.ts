import type { ClinicSettings } from '../../../domain/settings/service.js';
import type { Output } from '../../output.js';

export function renderSettings(output: Output, settings: ClinicSettings): void {
  output.record(settings, [
    ['timezone', settings.timezone],
    ['session-idle-minutes', settings.sessionIdleMinutes],
    ['session-absolute-hours', settings.sessionAbsoluteHours],
    ['server-idle-minutes', settings.serverIdleMinutes],
    ['fhir-identifier-system', settings.fhirIdentifierSystem],
  ]);
}
