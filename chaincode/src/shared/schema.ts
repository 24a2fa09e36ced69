/**
 * Metadata classes for fabric-contract-api (`GetMetadata` lists them under
 * `components.schemas`). They mirror the interfaces the code uses; `implements` keeps the two
 * in step. Nullable fields are declared with their non-null type, since the metadata format
 * has no unions; README.md says which fields may be null.
 */
import { Object as DataType, Property } from 'fabric-contract-api';
import type * as M from './models';

@DataType()
export class ActorRef implements M.ActorRef {
  @Property('msp', 'string') readonly msp!: string;
  @Property('cn', 'string') readonly cn!: string;
}
