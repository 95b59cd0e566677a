/** Every contract whose cases are listed next to its checks (checks/contract-cases.ts). */
import type { Contract } from './contract-cases.ts';
import { healthDocument } from './health/health-document.cases.ts';
import { apiKeyAuth } from './security/api-key-auth.cases.ts';
import { cors } from './security/cors.cases.ts';
import { errorResponses } from './security/error-responses.cases.ts';
import { rateLimits } from './security/rate-limits.cases.ts';
import { securityHeaders } from './security/security-headers.cases.ts';

export const contracts: readonly Contract[] = [healthDocument, cors, apiKeyAuth, errorResponses, securityHeaders, rateLimits];
