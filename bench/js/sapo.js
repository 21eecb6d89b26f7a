// Plain-JS baseline for Sapo (src/connectors/sapo.cpp): the shared family mapping, Sapo's field names.
import { familyNormalizer } from './shopify-family.js';

export const normalize = familyNormalizer({ platform: 'sapo', displayName: 'Sapo', productNameKey: 'name', createdKey: 'created_on', updatedKey: 'modified_on' });
