/**
 * Formats of the lead destination's settings, each defined once: the validate step reports a value
 * that breaks one on its field, and the package step's lead sender refuses it. One definition, so
 * an offer that passes validate is never refused at package for the same value.
 */

/** An Azure Table name (the AzureTable destination's `tableName`). */
export const AZURE_TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;

/** The 15- or 18-character organization id; Salesforce's organization ids start with `00D`. */
export const SALESFORCE_ORG_ID = /^00D[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$/;
export const SALESFORCE_ORG_ID_ADVICE = 'enter the 15- or 18-character id starting with 00D from Setup › Company Information';

/** Marketo's Munchkin (account) id, e.g. 123-ABC-456. */
export const MUNCHKIN_ID = /^\d{3}-[A-Za-z]{3}-\d{3}$/;
export const MUNCHKIN_ID_ADVICE = 'it looks like 123-ABC-456: copy it from Marketo Admin › Munchkin';

/** A Marketo form id: its numeric id. */
export const MARKETO_FORM_ID = /^\d{1,10}$/;

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const DNS_NAME = `(?=.{1,253}$)${LABEL}(?:\\.${LABEL})+`;

/** A DNS host name with at least two labels: no scheme, port, path or IPv4 literal (a Marketo server id). */
export const HOST_NAME = new RegExp(`^(?!\\d+(?:\\.\\d+){3}$)${DNS_NAME}$`, 'i');
export const MARKETO_SERVER_ID_ADVICE = 'enter a host name such as app-ab01.marketo.com (no https://, path or port): copy it from Marketo Admin › Munchkin';

/** A Microsoft Entra tenant: its id (a GUID) or one of its domain names; the token endpoint takes either. */
export const ENTRA_TENANT = new RegExp(`^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|${DNS_NAME})$`, 'i');
export const ENTRA_TENANT_ADVICE = 'enter the Microsoft Entra tenant id (a GUID) or its domain name (e.g. contoso.onmicrosoft.com)';
