import { addDays } from '../../../../libs/locale/src';
import {
  CATEGORIES,
  DESCRIPTION_MAX_CHARACTERS,
  MAX_PREFERRED_DATES,
  PREFERRED_DATE_MAX_DAYS_AHEAD,
  RequestFormValues,
  URGENCIES,
} from '../../../../libs/service-requests/src/request-form';
import { MAX_REQUEST_FILES } from '../../../../libs/service-requests/src/upload-files';
import type { EquipmentOption, SiteOption } from './service-request-form.service';

/**
 * Builds the data of the service request form: the choices with the
 * submitted ones selected, and each field's problem. Files cannot be kept
 * between submits, so after any error the form requests them again.
 */
export function requestFormView(
  options: { sites: SiteOption[]; equipment: EquipmentOption[] },
  values: RequestFormValues,
  errors: Record<string, string>,
  today: string,
) {
  const sitesWithEquipment = options.sites.map((site) => ({
    name: site.name,
    equipment: options.equipment
      .filter((item) => item.siteId === site.id)
      .map((item) => ({ ...item, selected: item.id === values.equipmentId })),
  }));

  return {
    view: 'pages/service-request-form',
    title: 'New service request',
    section: 'service-requests',
    values,
    errors,
    hasErrors: Object.keys(errors).length > 0,
    errorList: Object.entries(errors).map(([field, problem]) => ({ field, problem })),
    sites: options.sites.map((site) => ({ ...site, selected: site.id === values.siteId })),
    equipmentGroups: sitesWithEquipment.filter((group) => group.equipment.length > 0),
    categories: CATEGORIES.map((category) => ({ ...category, selected: category.value === values.category })),
    urgencies: URGENCIES.map((urgency) => ({ ...urgency, selected: urgency.value === values.urgency })),
    preferredDates: Array.from({ length: MAX_PREFERRED_DATES }, (_, index) => ({
      name: `preferred_date_${index + 1}`,
      label: `Preferred date ${index + 1}`,
      value: values.preferredDates[index] ?? '',
    })),
    minDate: today,
    maxDate: addDays(today, PREFERRED_DATE_MAX_DAYS_AHEAD),
    maxDays: PREFERRED_DATE_MAX_DAYS_AHEAD,
    descriptionMax: DESCRIPTION_MAX_CHARACTERS,
    maxFiles: MAX_REQUEST_FILES,
  };
}
